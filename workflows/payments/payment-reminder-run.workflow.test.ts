/**
 * A clinic's monthly payment-reminder run at scale, on the run's real Temporal dev server with a
 * real worker and PostgreSQL: 5,000 patients who owe something get one PaymentReminder and one
 * balance chase each, the run continues as new on the way, and running the month again starts
 * nothing twice. What a chase then sends is payment-balance.workflow.test.ts's subject (and the API
 * test's, e-mails included): here the chases are counted and then stopped, because running 5,000
 * of them with their deliveries would take this two-core machine several minutes.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ProviderClientCache } from '../../activities/messaging/provider-clients';
import { paymentReminderRunStart, workflowIds } from '../../domain/temporal';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { PAY_LINKS } from '../../test/support/lifecycle';
import { bundleWorkflows, devServerAddress } from '../../test/support/temporal';
import { paymentReminderRunWorkflow } from './payment-reminder-run';
import { eventually } from '../../test/support/eventually';

const PATIENTS = 5_000;
const MONTH = '2026-11';
/** The run works here; the chases it starts land on the operations queue, which nobody serves in this file. */
const RUN_QUEUE = `payment-run-scale-${randomUUID()}`;

let db: TestDatabase;
let connection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let clinicId: string;

before(async () => {
  db = await createTestDatabase();
  connection = await NativeConnection.connect({ address: devServerAddress() });
  client = new Client({ connection });
  const cipher = new CredentialCipher(new Map([['k', randomBytes(32).toString('base64')]]), 'k');
  worker = await Worker.create({
    connection,
    taskQueue: RUN_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({ prisma: db.prisma, cipher, clients: new ProviderClientCache(), endpoints: {}, globalConfig: {}, temporal: client, payLinks: PAY_LINKS }),
  });
  running = worker.run();

  const clinic = await db.prisma.clinic.create({ data: { name: 'Large Centre', timezone: 'Asia/Kolkata', licenseTierCode: 'L', currency: 'INR' } });
  clinicId = clinic.id;
  const practitioner = await db.prisma.staffUser.create({ data: { clinicId, email: 'lead@large.test', passwordHash: 'x', firstName: 'Lee', lastName: 'Ad', role: 'THERAPIST' } });
  await db.prisma.$executeRaw`
    INSERT INTO "Patient" (id, "clinicId", "firstName", "lastName", barcode, "updatedAt")
    SELECT gen_random_uuid(), ${clinicId}::uuid, 'Bulk', 'Patient ' || g, 'BULK-' || g, now() FROM generate_series(1, ${PATIENTS}) g`;
  // One unpaid session each, an hour apart (the practitioner's sessions may not overlap).
  await db.prisma.$executeRaw`
    INSERT INTO "Appointment" (id, "clinicId", "reservationId", "patientId", "practitionerId", type, "bookingMode", status, "startsAt", "endsAt", price, "idempotencyKey", "workflowId", "updatedAt")
    SELECT gen_random_uuid(), p."clinicId", 'APT-' || p.barcode, p.id, ${practitioner.id}::uuid, 'TREATMENT', 'SPECIFIC_TIME', 'COMPLETED',
           timestamptz '2026-01-01' + row_number() OVER (ORDER BY p.id) * interval '1 hour',
           timestamptz '2026-01-01' + row_number() OVER (ORDER BY p.id) * interval '1 hour' + interval '30 minutes',
           250.00, p.barcode, 'appointment/' || p.id, now()
      FROM "Patient" p WHERE p."clinicId" = ${clinicId}::uuid`;
  // A patient who paid in full is not reminded.
  const paid = await db.prisma.patient.findFirstOrThrow({ where: { clinicId, barcode: 'BULK-1' }, include: { appointments: true } });
  await db.prisma.payment.create({ data: { clinicId, patientId: paid.id, appointmentId: paid.appointments[0]!.id, amount: '250.00', currency: 'INR', method: 'CASH', idempotencyKey: 'paid-in-full' } });
});

after(async () => {
  // The chases wait weeks for their follow-ups: none is left behind on the shared dev server.
  const rows = await db.prisma.paymentReminder.findMany({ where: { clinicId }, select: { patientId: true } });
  for (let i = 0; i < rows.length; i += 100) {
    await Promise.all(rows.slice(i, i + 100).map((r) => client.workflow.getHandle(workflowIds.paymentBalance(clinicId, MONTH, r.patientId)).terminate('test over').catch(() => undefined)));
  }
  worker.shutdown();
  await running;
  await connection.close();
  await db.drop();
});


const chases = async () => (await client.workflow.count(`WorkflowType = 'paymentBalanceWorkflow' AND ClinicId = '${clinicId}'`)).count;

test(`a run over ${PATIENTS.toLocaleString('en')} patients starts one chase per patient who owes, continuing as new on the way; running the month again starts nothing twice`, { timeout: 300_000 }, async () => {
  const start = { ...paymentReminderRunStart(clinicId, MONTH), taskQueue: RUN_QUEUE };
  await db.prisma.paymentReminderRun.create({ data: { clinicId, month: MONTH, workflowId: start.workflowId, trigger: 'MANUAL' } });
  const owing = PATIENTS - 1;

  const handle = await client.workflow.start(paymentReminderRunWorkflow, start);
  assert.deepEqual(await handle.result(), { reminders: owing });
  const runs = await eventually('the run to show in visibility', async () => (await client.workflow.count(`WorkflowId = '${start.workflowId}'`)).count > 1);
  assert.ok(runs, 'it continued as new (every 2,500 patients)');

  const rows = await db.prisma.paymentReminder.findMany({ where: { clinicId }, select: { patientId: true, amount: true } });
  assert.equal(rows.length, owing);
  assert.equal(new Set(rows.map((r) => r.patientId)).size, owing, 'one balance per patient');
  assert.ok(rows.every((r) => r.amount.toFixed(2) === '250.00'));
  assert.ok((await db.prisma.paymentReminderRun.findFirstOrThrow({ where: { clinicId } })).finishedAt);
  await eventually(`${owing} chases`, async () => (await chases()) === owing);

  // The month run again from the start, as a retry would: every row and every chase is found, nothing is added.
  const again = await client.workflow.start(paymentReminderRunWorkflow, { ...start, workflowId: `${start.workflowId}/again` });
  assert.deepEqual(await again.result(), { reminders: owing });
  await sleep(1_000);
  assert.equal(await db.prisma.paymentReminder.count({ where: { clinicId } }), owing);
  assert.equal(await chases(), owing, 'no second chase');
});
