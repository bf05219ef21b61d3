/**
 * The appointment activities against PostgreSQL: what completing a visit does to the patient's
 * account, and an event's messages written and sent: by their first try to a local SMTP server,
 * or handed to their delivery workflows (on Temporal's time-skipping test server, where no worker
 * runs them).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { ProviderClientCache } from '../messaging/provider-clients';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { startSmtpPeer, type SmtpPeer } from '../../test/fakes/smtp-peer';
import { DEFAULT_MESSAGE_TTL_MS } from '../messaging/message-deadline';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { createTimeSkippingEnv } from '../../test/support/temporal';
import { insertAppointment } from '../../test/support/scheduling';
import { creditBalance, outstandingDues } from '../../prisma/patient-accounts';
import { createAppointmentActivities } from './appointment-activities';

let db: TestDatabase;
let clinicId: string;
let practitionerId: string;
let acts: ReturnType<typeof createAppointmentActivities>;
let env: TestWorkflowEnvironment;
let smtp: SmtpPeer;
const clients = new ProviderClientCache();
const SMTP = { username: 'desk', password: 'smtp-password-0123' };

before(async () => {
  [db, env, smtp] = await Promise.all([createTestDatabase(), createTimeSkippingEnv(), startSmtpPeer(SMTP)]);
  acts = createAppointmentActivities({ prisma: db.prisma });
  clinicId = (await db.prisma.clinic.create({ data: { name: 'Accounts', timezone: 'Europe/London', licenseTierCode: 'L', currency: 'GBP' } })).id;
  practitionerId = (await db.prisma.staffUser.create({ data: { clinicId, email: 'pt@accounts.test', passwordHash: 'x', firstName: 'P', lastName: 'T', role: 'THERAPIST' } })).id;
});
after(async () => {
  await clients.closeAll();
  await Promise.all([db?.drop(), env?.teardown(), smtp?.stop()]);
});

/** The appointment activities with the platform's e-mail provider: the local SMTP server. */
function withEmail() {
  const cipher = new CredentialCipher(new Map([['k', randomBytes(32).toString('base64')]]), 'k');
  const email = { providers: [{ provider: 'smtp', credentials: { host: '127.0.0.1', port: smtp.port, secure: false, ...SMTP, fromAddress: 'desk@accounts.test' } }], settings: {} };
  return createAppointmentActivities({ prisma: db.prisma, temporal: env.client, cipher, clients, endpoints: {}, globalConfig: { email }, payLinks: { baseUrl: 'https://pay.test', secret: 'pay-link-secret-for-accounts-test-0123' } });
}

/** A visit a week from now, so its confirmation is still worth sending. */
async function upcomingVisit(patientId: string) {
  const startsAt = new Date(Date.now() + 7 * 86_400_000 + ++hour * 3_600_000);
  const visit = await insertAppointment({ db }, { clinicId, patientId, practitionerId, status: 'SCHEDULED', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(), price: '10.00' });
  return visit.id;
}

const messagesOf = (appointmentId: string) => db.prisma.message.findMany({ where: { clinicId, metadata: { path: ['appointmentId'], equals: appointmentId } }, include: { attempts: true } });


let hour = 0;
async function inProgressSession(patientId: string, price: string) {
  const startsAt = new Date(Date.UTC(2026, 10, 2, 8) + ++hour * 3_600_000);
  const session = await insertAppointment({ db }, { clinicId, patientId, practitionerId, status: 'IN_PROGRESS', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(), price });
  return session.id;
}

test("completing a visit uses the patient's prepaid credit as far as it goes, once, even when the completion is retried", async () => {
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'C', lastName: 'R', barcode: 'ACC-1' } })).id;
  await db.prisma.creditEntry.create({ data: { clinicId, patientId, amount: '50.00', currency: 'GBP', method: 'CASH' } });
  const first = await inProgressSession(patientId, '80.00');
  for (let attempt = 0; attempt < 2; attempt++) await acts.applyAppointmentTransition({ clinicId, appointmentId: first, action: 'complete', at: Date.now() });
  const payments = await db.prisma.payment.findMany({ where: { appointmentId: first } });
  assert.deepEqual(payments.map((p) => [p.method, p.amount.toFixed(2), p.currency]), [['CREDIT', '50.00', 'GBP']]);
  assert.equal((await creditBalance(db.prisma, clinicId, patientId)).toFixed(2), '0.00');
  assert.equal((await outstandingDues(db.prisma, clinicId, patientId, 'GBP')).total, '30.00');

  // More credit than the next visit costs: only its price is used.
  await db.prisma.creditEntry.create({ data: { clinicId, patientId, amount: '100.00', currency: 'GBP', method: 'CARD' } });
  const second = await inProgressSession(patientId, '25.50');
  await acts.applyAppointmentTransition({ clinicId, appointmentId: second, action: 'complete', at: Date.now() });
  assert.equal((await creditBalance(db.prisma, clinicId, patientId)).toFixed(2), '74.50');
  assert.equal((await outstandingDues(db.prisma, clinicId, patientId, 'GBP')).total, '30.00');
});

test('without credit, completing a priced visit records no payment and leaves the whole cost due', async () => {
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'N', lastName: 'C', barcode: 'ACC-2' } })).id;
  const id = await inProgressSession(patientId, '40.00');
  const done = await acts.applyAppointmentTransition({ clinicId, appointmentId: id, action: 'complete', at: Date.now() });
  assert.equal(done.status, 'COMPLETED');
  assert.equal(await db.prisma.payment.count({ where: { appointmentId: id } }), 0);
  assert.equal((await outstandingDues(db.prisma, clinicId, patientId, 'GBP')).total, '40.00');
});

test("an event's messages sent twice (a retried local activity) are written once and their delivery started once, with the deadline on the workflow's clock", async () => {
  const sending = createAppointmentActivities({ prisma: db.prisma, temporal: env.client });
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'F', lastName: 'U', barcode: 'ACC-3', email: 'fu@accounts.test' } })).id;
  const appointmentId = await inProgressSession(patientId, '10.00');
  const atMs = Date.UTC(2026, 10, 20, 9); // the workflow's time, not this process's
  const input = { clinicId, appointmentId, kind: 'follow-up' as const, key: 'follow-up', atMs };

  assert.equal(await sending.sendAppointmentMessages(input), 1);
  const [message] = await db.prisma.message.findMany({ where: { clinicId, metadata: { path: ['appointmentId'], equals: appointmentId } } });
  assert.ok(message?.workflowId);
  assert.equal(message.expiresAt?.getTime(), atMs + DEFAULT_MESSAGE_TTL_MS);
  const first = await env.client.workflow.getHandle(message.workflowId).describe();
  assert.equal(first.type, 'messageDeliveryWorkflow');
  assert.equal(first.status.name, 'RUNNING');
  assert.equal(first.parentExecution, undefined, 'a workflow of its own, not a child of the appointment');

  assert.equal(await sending.sendAppointmentMessages(input), 1);
  assert.equal(await db.prisma.message.count({ where: { clinicId, metadata: { path: ['appointmentId'], equals: appointmentId } } }), 1);
  assert.equal((await env.client.workflow.getHandle(message.workflowId).describe()).runId, first.runId, 'the same delivery, not a second one');
});

test("an event's message is delivered by its first try, once, even when the local activity runs twice, and needs no delivery workflow", async () => {
  const sending = withEmail();
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'Ines', lastName: 'At', barcode: 'ACC-4', email: 'ines@accounts.test' } })).id;
  const appointmentId = await upcomingVisit(patientId);
  const input = { clinicId, appointmentId, kind: 'confirmation' as const, key: 'confirmation', atMs: Date.now() };

  assert.equal(await sending.sendAppointmentMessages(input), 1);
  assert.equal(await sending.sendAppointmentMessages(input), 1);
  assert.equal(smtp.received.filter((m) => m.envelope.to.includes('ines@accounts.test')).length, 1, 'one e-mail in the inbox');
  const [message, ...more] = await messagesOf(appointmentId);
  assert.equal(more.length, 0);
  assert.equal(message?.status, 'DELIVERED');
  assert.equal(message.channel, 'email');
  assert.ok(message.providerMessageId, "the provider's receipt is on the message");
  assert.deepEqual(message.attempts.map((a) => [a.provider, a.outcome, a.round, a.attemptNumber]), [['smtp', 'ACCEPTED', 1, 1]]);
  await assert.rejects(env.client.workflow.getHandle(message.workflowId!).describe(), WorkflowNotFoundError, 'no delivery workflow for a message its first try delivered');
});

test("an event's message its first try could not deliver is logged and handed to its delivery workflow", async () => {
  const sending = withEmail();
  const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'Otto', lastName: 'Ff', barcode: 'ACC-5', email: 'otto@accounts.test' } })).id;
  const appointmentId = await upcomingVisit(patientId);
  smtp.failNextMessages(451);

  assert.equal(await sending.sendAppointmentMessages({ clinicId, appointmentId, kind: 'confirmation', key: 'confirmation', atMs: Date.now() }), 1);
  const [message] = await messagesOf(appointmentId);
  assert.equal(message?.status, 'SENDING');
  assert.deepEqual(message.attempts.map((a) => [a.outcome, a.errorKind, a.round]), [['FAILED', 'TRANSIENT', 1]]);
  const delivery = await env.client.workflow.getHandle(message.workflowId!).describe();
  assert.equal(delivery.type, 'messageDeliveryWorkflow');
  assert.equal(delivery.status.name, 'RUNNING', 'its workflow retries from here');
});
