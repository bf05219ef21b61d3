/**
 * Many appointments at once for the reminder and scale scenarios: rows written in bulk (distinct
 * practitioner and patient pairs, so the exclusion constraints hold) and their lifecycle
 * workflows started the way the start reconciler starts them (appointmentStart, START_ONCE), a
 * bounded number at a time. The booking route is measured by the booking scenario; here what
 * counts is what happens once the workflows run.
 */
import { randomUUID } from 'node:crypto';
import { appointmentStart, START_ONCE, workflowIds } from '../../domain/temporal';
import type { appointmentWorkflow } from '../../workflows/appointments/appointment';
import { BENCH_TIER } from './fixtures';
import { type BenchStack } from './stack';

const CHUNK = 1000;
/** Starts in flight at once: enough to hide a round trip, few enough not to flood the dev server. */
const STARTS_IN_PARALLEL = 20;

export interface OpenedAppointments {
  clinicId: string;
  appointmentIds: string[];
  /** The patients' addresses, which their messages arrive at. */
  patientEmails: Set<string>;
  /** Seconds the workflow starts took. */
  startSeconds: number;
}

/**
 * A clinic with `pairs` practitioners and patients (email only) and `count` appointments of 30
 * minutes, pair n mod pairs in slot n div pairs from `from`; starts their workflows.
 */
export async function openAppointments(
  stack: BenchStack,
  o: { name: string; count: number; pairs: number; from: Date; settings: Record<string, unknown>; log?: (line: string) => void },
): Promise<OpenedAppointments> {
  const { prisma } = stack;
  const tag = randomUUID().slice(0, 8);
  const clinic = await prisma.clinic.create({ data: { name: o.name, timezone: 'UTC', licenseTierCode: BENCH_TIER, settings: o.settings as object } });
  const pairs = Math.min(o.pairs, o.count);
  const practitioners = Array.from({ length: pairs }, (_, i) => ({ id: randomUUID(), clinicId: clinic.id, email: `p-${i}-${tag}@bench.clinicflow.test`, role: 'THERAPIST' as const, firstName: 'Thera', lastName: `Pist ${i}`, passwordHash: 'x' }));
  const patients = Array.from({ length: pairs }, (_, i) => ({ id: randomUUID(), clinicId: clinic.id, firstName: 'Pat', lastName: `Ient ${i}`, email: `patient-${i}-${tag}@patients.test`, barcode: `B-${tag}-${i}` }));
  await inChunks(practitioners, (data) => prisma.staffUser.createMany({ data }));
  await inChunks(patients, (data) => prisma.patient.createMany({ data }));
  const rows = Array.from({ length: o.count }, (_, n) => {
    const id = randomUUID();
    const startsAt = new Date(o.from.getTime() + Math.floor(n / pairs) * 30 * 60_000);
    return {
      id,
      clinicId: clinic.id,
      reservationId: `APT-${tag}-${n}`,
      practitionerId: practitioners[n % pairs]!.id,
      patientId: patients[n % pairs]!.id,
      type: 'CONSULTATION' as const,
      bookingMode: 'SPECIFIC_TIME' as const,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 30 * 60_000),
      idempotencyKey: `bench-${id}`,
      workflowId: workflowIds.appointment(clinic.id, id),
      workflowStartedAt: new Date(),
    };
  });
  await inChunks(rows, (data) => prisma.appointment.createMany({ data }));

  const began = performance.now();
  let next = 0;
  const starter = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      await stack.temporal.client.workflow.start<typeof appointmentWorkflow>('appointmentWorkflow', { ...appointmentStart(clinic.id, { ...row, status: 'SCHEDULED' }), ...START_ONCE });
      if (next % 2000 === 0) o.log?.(`${o.name}: ${next} of ${rows.length} workflows started`);
    }
  };
  await Promise.all(Array.from({ length: STARTS_IN_PARALLEL }, starter));
  return { clinicId: clinic.id, appointmentIds: rows.map((r) => r.id), patientEmails: new Set(patients.map((p) => p.email)), startSeconds: (performance.now() - began) / 1000 };
}

async function inChunks<T>(items: T[], write: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK) await write(items.slice(i, i + CHUNK));
}
