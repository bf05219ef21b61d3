import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Asks `probe` again and again until it answers something (anything but undefined, null or
 * false) and returns that, or fails naming `what` once `timeoutMs` has passed. For outcomes that
 * arrive on their own: deliveries, visibility, rows written by a worker.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}
