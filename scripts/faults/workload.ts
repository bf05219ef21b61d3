/**
 * What the fault cases put in flight and how they count it afterwards: messages sent through the
 * API, bookings, and every copy that reached the SMTP sink, matched to its message by the message id
 * that leads each SMTP Message-ID (the attempt key, see activities/messaging/delivery-activities.ts).
 */
import bcrypt from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEARCH_ATTRIBUTES, type WORKFLOW_KINDS } from '../../domain/temporal';
import { type ReceivedEmail } from '../../test/fakes/smtp-peer';
import { type BenchClinic, createBenchClinic, ensureBenchTier } from '../bench/fixtures';
import { type BenchStack } from '../bench/stack';

const ADMIN_PASSWORD = 'faults-admin-password-0123456789';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** Message states a delivery workflow leaves behind when it has finished. */
const FINAL = ['DELIVERED', 'FAILED', 'SUPPRESSED', 'READ', 'BOUNCED', 'EXPIRED'] as const;

export interface FaultClinic extends BenchClinic {
  /** A clinic admin's token: sending messages needs `communication:manage`. */
  adminToken: string;
}

export async function createFaultClinic(stack: BenchStack, name: string, practitioners: number, appointments: Record<string, unknown> = {}): Promise<FaultClinic> {
  await ensureBenchTier(stack.prisma);
  const clinic = await createBenchClinic(stack.prisma, stack.apiUrl, name, practitioners);
  await stack.prisma.clinic.update({ where: { id: clinic.id }, data: { settings: { appointments: { reminderChannels: ['email'], ...appointments } } } });
  const email = `admin-${randomUUID().slice(0, 8)}@faults.clinicflow.test`;
  await stack.prisma.staffUser.create({ data: { clinicId: clinic.id, email, role: 'CLINIC_ADMIN', firstName: 'Ada', lastName: 'Admin', passwordHash: await bcrypt.hash(ADMIN_PASSWORD, 4) } });
  const adminToken = await signIn(stack.apiUrl, email, ADMIN_PASSWORD);
  return { ...clinic, adminToken };
}

async function signIn(apiUrl: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`${email} could not sign in: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** A request the API may not answer (it is being restarted, it is busy): tried again with the same Idempotency-Key until it does. */
export async function untilAnswered(send: () => Promise<Response>, accept: (status: number) => boolean, deadlineMs = 240_000): Promise<{ status: number; body: unknown; tries: number }> {
  const deadline = Date.now() + deadlineMs;
  let last = 'no answer';
  for (let tries = 1; Date.now() < deadline; tries++) {
    try {
      const res = await send();
      const body: unknown = await res.json().catch(() => null);
      if (accept(res.status)) return { status: res.status, body, tries };
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (err) {
      last = String(err);
    }
    await sleep(Math.min(250 * tries, 2_000));
  }
  throw new Error(`no acceptable answer before the deadline: ${last}`);
}

/** `count` manual email messages to the clinic's patients, 100 recipients per request (the API's limit). */
export async function sendMessages(stack: BenchStack, clinic: FaultClinic, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let sent = 0; sent < count; sent += 100) {
    const recipients = Array.from({ length: Math.min(100, count - sent) }, (_, i) => ({ patientId: clinic.patientIds[(sent + i) % clinic.patientIds.length]! }));
    const key = randomUUID();
    const { body } = await untilAnswered(
      () =>
        fetch(`${stack.apiUrl}/api/v1/communication/send`, {
          method: 'POST',
          headers: { authorization: `Bearer ${clinic.adminToken}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ category: 'manual', recipients, channels: ['email'], subject: 'Your clinic', body: `Message ${sent} of a batch from the front desk.` }),
          signal: AbortSignal.timeout(60_000),
        }),
      (s) => s === 202,
    );
    ids.push(...(body as { messages: Array<{ id: string }> }).messages.map((m) => m.id));
  }
  return ids;
}

export interface Booking {
  key: string;
  practitionerId: string;
  patientId: string;
  startsAt: string;
}

/** Books each slot (201 expected), `concurrency` at a time, every request retried with its own key until answered. */
export async function book(stack: BenchStack, clinic: FaultClinic, bookings: Booking[], concurrency = 4): Promise<{ ids: string[]; retried: number }> {
  const ids: string[] = new Array<string>(bookings.length);
  let next = 0;
  let retried = 0;
  const lane = async () => {
    for (let i = next++; i < bookings.length; i = next++) {
      const b = bookings[i]!;
      const { body, tries } = await untilAnswered(
        () =>
          fetch(`${stack.apiUrl}/api/v1/appointments`, {
            method: 'POST',
            headers: { authorization: `Bearer ${clinic.token}`, 'content-type': 'application/json', 'idempotency-key': b.key },
            body: JSON.stringify({ practitionerId: b.practitionerId, patientId: b.patientId, startsAt: b.startsAt, durationMinutes: 30, type: 'CONSULTATION' }),
            signal: AbortSignal.timeout(60_000),
          }),
        (s) => s === 201,
      );
      if (tries > 1) retried++;
      ids[i] = (body as { id: string }).id;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { ids, retried };
}

/** `count` bookings: pair n mod P, slot n div P, half an hour each from `from`. */
export function slots(clinic: BenchClinic, count: number, from: Date): Booking[] {
  return Array.from({ length: count }, (_, n) => {
    const pair = n % clinic.practitionerIds.length;
    const slot = Math.floor(n / clinic.practitionerIds.length);
    return { key: randomUUID(), practitionerId: clinic.practitionerIds[pair]!, patientId: clinic.patientIds[pair]!, startsAt: new Date(from.getTime() + slot * 30 * 60_000).toISOString() };
  });
}

/** Cancels each appointment through the API (its workflow sends the notice and ends). */
export async function cancelAll(stack: BenchStack, clinic: FaultClinic, ids: string[], concurrency = 4): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      await untilAnswered(
        () =>
          fetch(`${stack.apiUrl}/api/v1/appointments/${ids[i]}/cancel`, {
            method: 'POST',
            headers: { authorization: `Bearer ${clinic.adminToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ reason: 'The clinic closes that day.' }),
            signal: AbortSignal.timeout(60_000),
          }),
        // 409: an earlier try already cancelled it (its answer was lost).
        (s) => s === 200 || s === 409,
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

export const messageIdOfEmail = (email: ReceivedEmail): string | undefined => UUID.exec(email.messageId ?? '')?.[0]?.toLowerCase();

/** Waits until `done()` holds, polling; returns how long it took, or throws after `timeoutMs` with `what()`. */
export async function waitFor(what: () => Promise<string> | string, done: () => Promise<boolean>, timeoutMs: number, pollMs = 500): Promise<number> {
  const began = Date.now();
  while (!(await done())) {
    if (Date.now() - began > timeoutMs) throw new Error(`not within ${Math.round(timeoutMs / 1000)} s: ${await what()}`);
    await sleep(pollMs);
  }
  return Date.now() - began;
}

/** Messages of these ids that have not finished yet. */
export async function unfinishedMessages(stack: BenchStack, ids: string[]): Promise<number> {
  return stack.prisma.message.count({ where: { id: { in: ids }, status: { notIn: [...FINAL] } } });
}

/** Workflows of one kind of the clinic in Temporal's visibility, by execution status ("Running", "Completed", …). */
export async function countWorkflows(stack: BenchStack, clinicId: string, kind: (typeof WORKFLOW_KINDS)[keyof typeof WORKFLOW_KINDS], status: string): Promise<number> {
  const { count } = await stack.temporal.client.workflow.count(`${SEARCH_ATTRIBUTES.ClinicId.name} = "${clinicId}" AND ${SEARCH_ATTRIBUTES.WorkflowKind.name} = "${kind}" AND ExecutionStatus = "${status}"`);
  return count;
}

/**
 * Milliseconds from `sinceMs` to the first copy the sink received at or after it (the first
 * delivery after a recovery), or NaN when none came. Read from the sink's arrival times once the
 * case has settled, so a case whose messages had all arrived before the fault does not wait.
 */
export function firstArrivalSince(stack: BenchStack, sinceMs: number): number {
  const after = stack.smtp.received.map((e) => e.receivedAt).filter((t) => t >= sinceMs);
  return after.length ? Math.min(...after) - sinceMs : Number.NaN;
}

export interface DeliveryTally {
  expected: number;
  delivered: number;
  /** Expected messages with no copy at the sink. */
  lost: number;
  /** Copies at the sink of the expected messages. */
  received: number;
  /** Copies beyond the first. */
  duplicates: number;
  /** Messages that arrived more than once. */
  duplicatedMessages: number;
  /**
   * Duplicates inside the documented window: the copy that no attempt row records (the send was cut
   * after the sink accepted it and before its ACCEPTED row was written) reached the sink before
   * the fault was over. Any other duplicate is a bug.
   */
  duplicatesInWindow: number;
}

/**
 * Counts the sink's copies of `ids`. `faultOverAt`: the sink's message count when the faulted
 * component was back (copies before that index were sent while the fault lasted).
 */
export async function tally(stack: BenchStack, ids: string[], faultOverAt: number): Promise<DeliveryTally> {
  const wanted = new Set(ids);
  const copies = new Map<string, Array<{ index: number; queueId: string }>>();
  stack.smtp.received.forEach((email, index) => {
    const id = messageIdOfEmail(email);
    if (id && wanted.has(id)) copies.set(id, [...(copies.get(id) ?? []), { index, queueId: email.queueId }]);
  });
  const rows = await stack.prisma.message.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, providerMessageId: true } });
  let received = 0;
  let duplicates = 0;
  let duplicatesInWindow = 0;
  let duplicatedMessages = 0;
  for (const row of rows) {
    const mine = copies.get(row.id) ?? [];
    received += mine.length;
    if (mine.length < 2) continue;
    duplicates += mine.length - 1;
    duplicatedMessages++;
    // The recorded copy is the one whose queue id the delivery log kept; the others were sends cut before their row.
    const unrecorded = mine.filter((c) => c.queueId !== row.providerMessageId);
    const recorded = mine.length - unrecorded.length;
    if (recorded === 1) duplicatesInWindow += unrecorded.filter((c) => c.index < faultOverAt).length;
  }
  return {
    expected: ids.length,
    delivered: rows.filter((r) => r.status === 'DELIVERED').length,
    lost: ids.filter((id) => !copies.has(id)).length,
    received,
    duplicates,
    duplicatedMessages,
    duplicatesInWindow,
  };
}
