/**
 * Goal 3: reminders. For each batch size of BENCH_REMINDER_BATCHES (1, 150, 1,000): a clinic
 * whose reminders go 5 minutes before the visit (email), that many appointments starting at the
 * same instant, so their reminders are all due at one moment some time ahead; lateness is the
 * arrival of each reminder at the SMTP sink minus that due time. None may arrive early, none may
 * be lost. The confirmations of the bookings go first, and the due time is set far enough ahead
 * for them to be out of the way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openAppointments } from './open-appointments';
import { ensureBenchTier } from './fixtures';
import { type BenchSettings } from './settings';
import { type BenchStack } from './stack';
import { ms, percentile, type Verdict } from './stats';

const OFFSET_MINUTES = 5;
/** The goals: p99 lateness by batch size (the one alone: its only value). */
const P99_LIMIT_MS = (size: number) => (size <= 1 ? 1000 : size <= 150 ? 5000 : 30_000);

export interface ReminderBatch {
  size: number;
  arrived: number;
  early: number;
  p50: number;
  p99: number;
  max: number;
  /** Confirmations still on their way when the reminders fell due (they compete with them). */
  confirmationsPendingAtDue: number;
}

export async function benchReminders(stack: BenchStack, s: BenchSettings, log: (line: string) => void): Promise<ReminderBatch[]> {
  await ensureBenchTier(stack.prisma);
  const batches: ReminderBatch[] = [];
  for (const size of s.BENCH_REMINDER_BATCHES) {
    // Room for the starts and the confirmations before the reminders fall due.
    const leadMs = (s.BENCH_REMINDER_LEAD_SECONDS + size * 0.15) * 1000;
    const dueAt = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
    const from = new Date(dueAt + OFFSET_MINUTES * 60_000);
    log(`reminders: ${size} due at ${new Date(dueAt).toISOString()} (in ${Math.round((dueAt - Date.now()) / 1000)} s)`);
    const opened = await openAppointments(stack, {
      name: `Bench Reminders ${size}`,
      count: size,
      pairs: size,
      from,
      settings: { appointments: { reminderChannels: ['email'], reminderOffsetsMinutes: [OFFSET_MINUTES] } },
    });
    const mine = (subject: RegExp) => stack.smtp.received.filter((m) => subject.test(m.subject ?? '') && m.envelope.to.some((to) => opened.patientEmails.has(to)));
    log(`reminders: ${size} workflows started in ${opened.startSeconds.toFixed(1)} s`);
    if (Date.now() >= dueAt) log(`reminders: WARNING the starts took past the due time; raise BENCH_REMINDER_LEAD_SECONDS`);
    while (Date.now() < dueAt - 50) await sleep(Math.min(500, dueAt - 50 - Date.now()));
    const confirmationsPendingAtDue = size - mine(/^Your appointment at .* is booked/).length;
    const deadline = dueAt + s.BENCH_REMINDER_TIMEOUT_SECONDS * 1000;
    while (Date.now() < deadline && mine(/^Reminder/).length < size) await sleep(100);
    const lateness = mine(/^Reminder/).map((m) => m.receivedAt - dueAt);
    const batch = {
      size,
      arrived: lateness.length,
      early: lateness.filter((l) => l < 0).length,
      p50: percentile(lateness, 50),
      p99: percentile(lateness, 99),
      max: lateness.length ? Math.max(...lateness) : Number.NaN,
      confirmationsPendingAtDue,
    };
    log(`reminders: ${size} at once: ${batch.arrived} arrived, p50 ${ms(batch.p50)}, p99 ${ms(batch.p99)}, max ${ms(batch.max)} late`);
    batches.push(batch);
  }
  return batches;
}

export function reminderVerdicts(batches: ReminderBatch[]): Verdict[] {
  return batches.flatMap((b) => [
    {
      goal: `${b.size} due at the same instant: p99 lateness ≤ ${ms(P99_LIMIT_MS(b.size))}`,
      figure: `p50 ${ms(b.p50)}, p99 ${ms(b.p99)}, max ${ms(b.max)}`,
      baseline: b.confirmationsPendingAtDue > 0 ? `${b.confirmationsPendingAtDue} confirmations still on their way at the due time` : '',
      met: b.p99 <= P99_LIMIT_MS(b.size),
    },
    { goal: `${b.size} at once: none early, none lost`, figure: `${b.arrived} of ${b.size} arrived, ${b.early} early`, baseline: '', met: b.arrived === b.size && b.early === 0 },
  ]);
}
