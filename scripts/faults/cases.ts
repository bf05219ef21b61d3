/**
 * The fault cases of issue 11: each puts real work in flight on a full stack (scripts/bench/stack.ts:
 * PostgreSQL, the Temporal dev server on a SQLite file, the SMTP sink, the worker and the API as
 * processes), injects one fault, and counts what came out at the SMTP sink and in the database.
 * `npm run faults` runs them at full size (scripts/faults/run.ts), `npm test` at a small one
 * (scripts/faults/faults.test.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WORKFLOW_KINDS } from '../../domain/temporal';
import { bookingStart } from '../bench/fixtures';
import { type BenchStack } from '../bench/stack';
import { type Verdict } from '../bench/stats';
import {
  book,
  cancelAll,
  countWorkflows,
  createFaultClinic,
  type DeliveryTally,
  type FaultClinic,
  firstArrivalSince,
  messageIdOfEmail,
  sendMessages,
  slots,
  tally,
  unfinishedMessages,
  waitFor,
} from './workload';

export interface FaultSizes {
  /** Temporal and PostgreSQL cases: messages sent and appointments booked before the fault. */
  messages: number;
  appointments: number;
  /** Worker case: appointments whose reminder falls due at the same moment. */
  reminders: number;
  /** API case: bookings under way when the API is killed. */
  bookings: number;
  /** How long Temporal and PostgreSQL stay down. */
  outageSeconds: number;
  /** How long a case may take to finish after its fault before it counts as not recovered. */
  settleMs: number;
}

export const FULL_SIZE: FaultSizes = { messages: 500, appointments: 100, reminders: 150, bookings: 100, outageSeconds: 10, settleMs: 8 * 60_000 };
export const FAST_SIZE: FaultSizes = { messages: 50, appointments: 10, reminders: 20, bookings: 20, outageSeconds: 5, settleMs: 3 * 60_000 };

export interface CaseResult {
  title: string;
  verdicts: Verdict[];
}

type Log = (line: string) => void;

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'none');
const verdict = (goal: string, figure: string, met: boolean): Verdict => ({ goal, figure, baseline: '', met });

function deliveryVerdicts(what: string, t: DeliveryTally, exactlyOnce: boolean): Verdict[] {
  const beyond = t.duplicates - t.duplicatesInWindow;
  return [
    verdict(`${what}: nothing lost`, `${t.expected} expected, ${t.delivered} DELIVERED, ${t.expected - t.lost} arrived at the sink, ${t.lost} lost`, t.lost === 0 && t.delivered === t.expected),
    exactlyOnce
      ? verdict(
          `${what}: each arrives exactly once, but for sends cut inside the documented window`,
          `${t.expected - t.lost - t.duplicatedMessages} of ${t.expected} exactly once; ${t.received} copies: ${t.duplicates} duplicates, ${t.duplicatesInWindow} inside the window (the sink had accepted, the attempt row was not written when the fault struck), ${beyond} beyond`,
          beyond === 0,
        )
      : verdict(
          `${what}: no duplicate beyond the documented window`,
          `${t.received} copies received for ${t.expected} messages: ${t.duplicates} duplicates, ${t.duplicatesInWindow} inside the window (send cut before its attempt row), ${beyond} beyond`,
          beyond === 0,
        ),
  ];
}

/** Messages of the clinic (all of them: sent by staff, and the appointment workflows' own). */
async function clinicMessageIds(stack: BenchStack, clinicId: string, templateKey?: string): Promise<string[]> {
  const rows = await stack.prisma.message.findMany({ where: { clinicId, ...(templateKey ? { templateKey } : {}) }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** Copies at the sink of these messages so far. */
function arrived(stack: BenchStack, ids: Set<string>): number {
  return stack.smtp.received.filter((e) => ids.has(messageIdOfEmail(e) ?? '')).length;
}

/** Every message of the clinic finished and no delivery or batch workflow of it still running. */
async function settled(stack: BenchStack, clinicId: string): Promise<boolean> {
  const ids = await clinicMessageIds(stack, clinicId);
  if ((await unfinishedMessages(stack, ids)) > 0) return false;
  for (const kind of [WORKFLOW_KINDS.messageDelivery, WORKFLOW_KINDS.messageBatch]) if ((await countWorkflows(stack, clinicId, kind, 'Running')) > 0) return false;
  return true;
}

async function settledReport(stack: BenchStack, clinicId: string): Promise<string> {
  const ids = await clinicMessageIds(stack, clinicId);
  return `${await unfinishedMessages(stack, ids)} of ${ids.length} messages unfinished, ${await countWorkflows(stack, clinicId, WORKFLOW_KINDS.messageDelivery, 'Running')} delivery workflows running`;
}

interface Outage {
  /** Stops or kills the component. */
  down(): Promise<void>;
  /** Brings it back. */
  up(): Promise<void>;
}

/**
 * 500 messages and 100 bookings in flight, then `outage` (Temporal SIGKILLed, or PostgreSQL
 * stopped) for a few seconds, then back: every delivery workflow (of a message its first try did
 * not deliver) completes, every appointment workflow confirms and (cancelled afterwards)
 * completes, nothing is lost, nothing doubled.
 */
async function serverOutage(stack: BenchStack, size: FaultSizes, log: Log, name: string, fault: string, outage: Outage): Promise<CaseResult> {
  const clinic = await createFaultClinic(stack, `Faults ${name}`, 20);
  log(`${name}: sending ${size.messages} messages and booking ${size.appointments} appointments`);
  const [messageIds, booked] = await Promise.all([sendMessages(stack, clinic, size.messages), book(stack, clinic, slots(clinic, size.appointments, bookingStart()))]);
  const mine = new Set(messageIds);
  // Down while the deliveries are under way: some arrived, most not yet.
  const threshold = Math.max(1, Math.ceil(size.messages / 10));
  await waitFor(() => `${arrived(stack, mine)} of ${threshold} messages at the sink`, async () => arrived(stack, mine) >= threshold, 5 * 60_000);
  // First tries deliver the rest within moments: a last send, just before the fault, makes sure it finds deliveries under way.
  await sendMessages(stack, clinic, Math.max(10, Math.ceil(size.messages / 5)));
  const inFlight = await unfinishedMessages(stack, await clinicMessageIds(stack, clinic.id));
  const unconfirmed = size.appointments - (await stack.prisma.message.count({ where: { clinicId: clinic.id, templateKey: 'appointment-confirmation', status: 'DELIVERED' } }));
  log(`${name}: down with ${inFlight} messages unfinished and ${unconfirmed} confirmations not yet delivered`);
  const downAt = Date.now();
  await outage.down();
  await sleep(size.outageSeconds * 1000);
  await outage.up();
  const upAt = Date.now();
  const faultOverAt = stack.smtp.received.length;
  // First tries need no Temporal: with it down, the worker may have delivered everything already.
  const unfinishedWhenBack = await unfinishedMessages(stack, await clinicMessageIds(stack, clinic.id));
  log(`${name}: back after ${seconds(upAt - downAt)}`);
  await waitFor(() => settledReport(stack, clinic.id), () => settled(stack, clinic.id), size.settleMs);
  const recovered = Date.now() - upAt;
  const firstDelivery = firstArrivalSince(stack, upAt);
  const running = () => countWorkflows(stack, clinic.id, WORKFLOW_KINDS.appointment, 'Running');
  const started = () => stack.prisma.appointment.count({ where: { clinicId: clinic.id, workflowStartedAt: { not: null } } });
  // A start the outage cut between its workflow and its row's mark is marked once the database is
  // back (the API retries the mark), or else by the start reconciler (a minute old, every minute).
  const markedMs = await waitFor(
    async () => `${await started()} of ${size.appointments} appointment rows marked started, ${await running()} workflows running`,
    async () => (await started()) === size.appointments && (await running()) === size.appointments,
    150_000,
  );
  const [runningCount, startedCount] = [await running(), await started()];

  log(`${name}: cancelling the ${booked.ids.length} appointments so that their workflows end`);
  await cancelAll(stack, clinic, booked.ids);
  await waitFor(
    async () => `${await countWorkflows(stack, clinic.id, WORKFLOW_KINDS.appointment, 'Completed')} of ${booked.ids.length} appointment workflows completed; ${await settledReport(stack, clinic.id)}`,
    async () => (await countWorkflows(stack, clinic.id, WORKFLOW_KINDS.appointment, 'Completed')) === booked.ids.length && (await settled(stack, clinic.id)),
    size.settleMs,
  );
  const all = await clinicMessageIds(stack, clinic.id);
  // Only messages their first try did not deliver have a delivery workflow; none may still run (settled).
  const deliveries = await countWorkflows(stack, clinic.id, WORKFLOW_KINDS.messageDelivery, 'Completed');
  const t = await tally(stack, all, faultOverAt);
  const confirmations = await clinicMessageIds(stack, clinic.id, 'appointment-confirmation');
  const notices = await clinicMessageIds(stack, clinic.id, 'appointment-cancelled');
  return {
    title: `${fault} with ${size.messages} messages and ${size.appointments} appointments in flight (down ${size.outageSeconds} s)`,
    verdicts: [
      verdict('in flight at the fault', `${inFlight} messages unfinished, ${unconfirmed} of ${size.appointments} confirmations not yet delivered`, inFlight > 0),
      verdict(
        'every workflow completes',
        `${deliveries} delivery workflows completed, none running (${all.length} messages, the rest delivered by their first try); ${startedCount} of ${size.appointments} appointment workflows started (marked ${seconds(markedMs)} after the messages settled), ${runningCount} running, all ${booked.ids.length} completed once cancelled`,
        deliveries <= all.length && startedCount === size.appointments && runningCount === size.appointments,
      ),
      verdict('one confirmation and one cancellation notice per appointment', `${confirmations.length} confirmations, ${notices.length} notices for ${size.appointments}`, confirmations.length === size.appointments && notices.length === size.appointments),
      ...deliveryVerdicts(`all ${all.length} messages`, t, false),
      verdict(
        'time to recover',
        unfinishedWhenBack === 0
          ? `down ${seconds(upAt - downAt)}; every message was delivered while it was down (by their first tries)`
          : `down ${seconds(upAt - downAt)}; first delivery ${seconds(firstDelivery)} after it was back; all delivered ${seconds(recovered)} after`,
        unfinishedWhenBack === 0 || Number.isFinite(firstDelivery),
      ),
    ],
  };
}

export function temporalCrashCase(stack: BenchStack, size: FaultSizes, log: Log): Promise<CaseResult> {
  return serverOutage(stack, size, log, 'Temporal', 'Temporal dev server SIGKILLed and restarted on its SQLite file', {
    down: () => stack.faults.crashTemporal(),
    up: () => stack.faults.startTemporal(),
  });
}

export function postgresRestartCase(stack: BenchStack, size: FaultSizes, log: Log): Promise<CaseResult> {
  return serverOutage(stack, size, log, 'PostgreSQL', 'PostgreSQL stopped (fast shutdown) and started again', {
    down: () => stack.faults.stopPostgres(),
    up: () => stack.faults.startPostgres(),
  });
}

/**
 * `reminders` appointments at the same time, the clinic reminding 5 minutes before (the shortest
 * offset it may set), booked so that the reminders fall due together a little later in real time;
 * the worker is SIGKILLed once the burst is arriving and a new one started.
 */
export async function workerCrashCase(stack: BenchStack, size: FaultSizes, log: Log): Promise<CaseResult> {
  const n = size.reminders;
  const clinic: FaultClinic = await createFaultClinic(stack, 'Faults Reminders', n, { reminderOffsetsMinutes: [5] });
  // Enough lead for the bookings (and their confirmations) to be done before the burst.
  const leadMs = 45_000 + n * 500;
  const startsAt = new Date(Math.ceil((Date.now() + 5 * 60_000 + leadMs) / 1000) * 1000);
  const dueAt = startsAt.getTime() - 5 * 60_000;
  log(`worker: booking ${n} appointments at ${startsAt.toISOString()}, reminders due at ${new Date(dueAt).toISOString()}`);
  await book(stack, clinic, slots(clinic, n, startsAt));
  const bookedBeforeDue = Date.now() < dueAt;
  const reminderIds = async () => new Set(await clinicMessageIds(stack, clinic.id, 'appointment-reminder'));
  // Watched in the sink itself, not through the database, so that the kill lands a few copies
  // into the burst even when the worker delivers all of it within a second.
  const patientEmails = new Set((await stack.prisma.patient.findMany({ where: { clinicId: clinic.id }, select: { email: true } })).map((p) => p.email));
  const remindersAtSink = () => stack.smtp.received.filter((e) => e.subject?.startsWith('Reminder:') && e.envelope.to.some((to) => patientEmails.has(to))).length;
  const threshold = Math.max(1, Math.ceil(n / 5));
  const burstWaitMs = Math.max(0, dueAt - Date.now()) + 3 * 60_000;
  for (const began = Date.now(); remindersAtSink() < threshold; await sleep(20)) {
    if (Date.now() - began > burstWaitMs) throw new Error(`not within ${Math.round(burstWaitMs / 1000)} s: ${remindersAtSink()} of ${threshold} reminders at the sink`);
  }
  const killedAt = Date.now();
  await stack.faults.crashWorker();
  const atKill = arrived(stack, await reminderIds());
  log(`worker: SIGKILLed ${seconds(killedAt - dueAt)} after the reminders fell due, ${atKill} of ${n} had arrived`);
  await stack.faults.startWorker();
  const upAt = Date.now();
  const faultOverAt = stack.smtp.received.length;
  await waitFor(
    async () => `${(await reminderIds()).size} of ${n} reminders created; ${await settledReport(stack, clinic.id)}`,
    async () => (await reminderIds()).size >= n && (await settled(stack, clinic.id)),
    size.settleMs,
  );
  const firstDelivery = firstArrivalSince(stack, upAt);
  const recovered = Date.now() - upAt;
  const ids = [...(await reminderIds())];
  const t = await tally(stack, ids, faultOverAt);
  const late = await stack.prisma.message.findMany({ where: { id: { in: ids } }, select: { deliveredAt: true } });
  const lastDelivery = Math.max(...late.map((m) => m.deliveredAt?.getTime() ?? Number.NaN));
  return {
    title: `Worker SIGKILLed during a burst of ${n} reminders`,
    verdicts: [
      verdict('the burst was real: booked before the reminders fell due, killed mid-burst', `booked ${bookedBeforeDue ? 'before' : 'AFTER'} the due time; ${atKill} of ${n} arrived at the kill`, bookedBeforeDue && atKill < n),
      verdict('one reminder per appointment', `${ids.length} reminder messages for ${n} appointments`, ids.length === n),
      ...deliveryVerdicts(`${n} reminders`, t, true),
      verdict(
        'time to recover',
        `new worker polling ${seconds(upAt - killedAt)} after the kill; first delivery ${seconds(firstDelivery)} after that; all delivered ${seconds(recovered)} after (the last ${seconds(lastDelivery - dueAt)} after due)`,
        Number.isFinite(firstDelivery) || t.lost === 0,
      ),
    ],
  };
}

/**
 * Bookings under way (each retried with its own Idempotency-Key until it gets an answer, as a
 * client does), the API SIGKILLed once a third are committed and a new one started: every key
 * books exactly one appointment, every appointment gets its workflow (the booking's retry or the
 * start reconciler starts those the crash left without one) and one confirmation.
 */
export async function apiCrashCase(stack: BenchStack, size: FaultSizes, log: Log): Promise<CaseResult> {
  const n = size.bookings;
  const clinic = await createFaultClinic(stack, 'Faults API', 10);
  const wanted = slots(clinic, n, bookingStart());
  const rows = () => stack.prisma.appointment.count({ where: { clinicId: clinic.id } });
  log(`API: booking ${n} appointments`);
  const booking = book(stack, clinic, wanted);
  booking.catch(() => undefined);
  // Polled often: bookings are answered at commit, and twenty of them take well under a second.
  await waitFor(async () => `${await rows()} of ${Math.ceil(n / 3)} booked`, async () => (await rows()) >= Math.ceil(n / 3), 5 * 60_000, 20);
  const killedAt = Date.now();
  await stack.faults.crashApi();
  const atKill = await rows();
  const withoutWorkflow = await stack.prisma.appointment.count({ where: { clinicId: clinic.id, workflowStartedAt: null } });
  log(`API: SIGKILLed with ${atKill} of ${n} booked, ${withoutWorkflow} of them without a workflow yet`);
  await stack.faults.startApi();
  const upAt = Date.now();
  const { ids, retried } = await booking;
  const answeredAt = Date.now();
  const settledRows = async () => {
    const started = await stack.prisma.appointment.count({ where: { clinicId: clinic.id, workflowStartedAt: { not: null } } });
    return started === n && (await countWorkflows(stack, clinic.id, WORKFLOW_KINDS.appointment, 'Running')) === n;
  };
  // The start reconciler takes a row once it is a minute old, every minute.
  await waitFor(async () => `${await countWorkflows(stack, clinic.id, WORKFLOW_KINDS.appointment, 'Running')} of ${n} appointment workflows running`, settledRows, 4 * 60_000);
  await waitFor(
    async () => `${(await clinicMessageIds(stack, clinic.id, 'appointment-confirmation')).length} of ${n} confirmations; ${await settledReport(stack, clinic.id)}`,
    async () => (await clinicMessageIds(stack, clinic.id, 'appointment-confirmation')).length >= n && (await settled(stack, clinic.id)),
    size.settleMs,
  );
  const total = await rows();
  const keys = await stack.prisma.appointment.findMany({ where: { clinicId: clinic.id }, select: { idempotencyKey: true } });
  const distinctKeys = new Set(keys.map((k) => k.idempotencyKey));
  const usage = await stack.prisma.appointmentMonthUsage.findMany({ where: { clinicId: clinic.id } });
  const counted = usage.reduce((s, u) => s + u.count, 0);
  const confirmations = await clinicMessageIds(stack, clinic.id, 'appointment-confirmation');
  const t = await tally(stack, confirmations, stack.smtp.received.length);
  return {
    title: `API SIGKILLed during ${n} bookings`,
    verdicts: [
      // Bookings are answered at commit and their workflows started after: the kill cuts either.
      verdict('killed mid-way: bookings or their workflow starts still under way', `${atKill} of ${n} booked at the kill, ${withoutWorkflow} of them still without a workflow`, atKill < n || withoutWorkflow > 0),
      verdict('every request answered 201 in the end', `${ids.filter(Boolean).length} of ${n} (${retried} needed a retry)`, ids.filter(Boolean).length === n),
      verdict(
        'no booking half-made: one row per key, each with its workflow, counted once',
        `${total} rows, ${distinctKeys.size} distinct keys, ${new Set(ids).size} distinct ids answered; ${n} workflows running; month count ${counted}`,
        total === n && distinctKeys.size === n && new Set(ids).size === n && counted === n,
      ),
      verdict('one confirmation per appointment, delivered once', `${confirmations.length} confirmations, ${t.delivered} DELIVERED, ${t.received} copies at the sink`, confirmations.length === n && t.delivered === n && t.received === n),
      verdict('time to recover', `API answering ${seconds(upAt - killedAt)} after the kill; all bookings answered ${seconds(answeredAt - upAt)} after that`, true),
    ],
  };
}

export const FAULT_CASES = [
  { name: 'temporal', run: temporalCrashCase },
  { name: 'postgres', run: postgresRestartCase },
  { name: 'worker', run: workerCrashCase },
  { name: 'api', run: apiCrashCase },
] as const;
