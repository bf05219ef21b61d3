/**
 * What a run's plan read (the message with its patient and clinic, the clinic's channel
 * configurations), kept in this worker for the run's first try, which would otherwise read the
 * same rows again a few milliseconds later. Taken once and only while fresh: a retry, a run after
 * a pause, or a try served by another worker reads the database as before.
 */
export const PLANNED_READ_TTL_MS = 10_000;
const MAX_ENTRIES = 5_000;

export class PlannedReads<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  put(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    // Oldest first in a Map: a worker whose tries never come (another worker took them) stays bounded.
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The value put under `key` within the last PLANNED_READ_TTL_MS, removed; undefined otherwise. */
  take(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    return this.now() - entry.at <= PLANNED_READ_TTL_MS ? entry.value : undefined;
  }
}
