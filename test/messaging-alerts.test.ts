/**
 * The messaging monitor end to end on the dev server: probes find a dead SMTP entry without a
 * message reaching the server, incidents raise one alert and one message per admin however many
 * messages fail in them, and a cleared incident sends one recovery note.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TASK_QUEUES } from '../domain/temporal';
import { type MessagingMonitorResult, messagingMonitorWorkflow } from '../workflows/messaging/messaging-monitor';
import { type SmtpPeer, startSmtpPeer } from './fakes/smtp-peer';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { eventually } from './support/eventually';
import { startTestWorker, type TestWorker } from './support/worker';

const ACCOUNT = { username: 'desk', password: 'the-right-smtp-password' };
const OPS = 'ops@platform.test';
// The platform's own email relay, with a password the server refuses: trouble for every clinic that falls back to it.
const GLOBAL = { email: { providers: [{ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, secure: false, username: ACCOUNT.username, password: 'stale-platform-password', fromAddress: 'noreply@clinicflow.test' } }] } };
let api: TestApi;
let smtp: SmtpPeer;
let worker: TestWorker;
let runs = 0;

async function runMonitor(): Promise<MessagingMonitorResult> {
  runs += 1;
  return api.temporal.client.workflow.execute(messagingMonitorWorkflow, { workflowId: `messaging-monitor-test-${runs}-${randomUUID()}`, taskQueue: TASK_QUEUES.operations, args: [{}] });
}

async function clinicWithSmtp(name: string, password: string, admins: number, settings: object = {}) {
  const clinic = await createClinic(api, { name });
  const staff: Actor[] = [];
  for (let i = 0; i < admins; i++) staff.push(await actor(api, 'CLINIC_ADMIN', clinic.id, `admin${i}@${name.toLowerCase()}.test`));
  const credentials = { host: 'mail.example.test', port: 587, username: ACCOUNT.username, password, fromAddress: `desk@${name.toLowerCase()}.test` };
  await api.http.put(`/api/v1/clinics/${clinic.id}/communication/email`).set(bearer(staff[0]!)).send({ providers: [{ provider: 'smtp', label: `${name} relay`, credentials }], settings }).expect(200);
  const config = await api.db.prisma.communicationConfig.findUniqueOrThrow({ where: { clinicId_channel: { clinicId: clinic.id, channel: 'email' } } });
  const entryId = (config.providers as Array<{ id: string }>)[0]!.id;
  return { id: clinic.id, admins: staff, entryId };
}

const alertMessages = (clinicId: string, templateKey: string) => api.db.prisma.message.count({ where: { clinicId, category: 'messaging-alert', templateKey } });

before(async () => {
  api = await startTestApi({ GLOBAL_MESSAGING_CONFIG: JSON.stringify(GLOBAL), OPS_ALERT_EMAIL: OPS });
  smtp = await startSmtpPeer(ACCOUNT);
  worker = await startTestWorker(api, { smtp: smtp.url });
});

after(async () => {
  await worker?.stop();
  await smtp?.stop();
  await api?.close();
});

describe('messaging monitor', () => {
  let dead: Awaited<ReturnType<typeof clinicWithSmtp>>;
  let busy: Awaited<ReturnType<typeof clinicWithSmtp>>;

  before(async () => {
    dead = await clinicWithSmtp('Deadmail', 'not-the-password', 1);
    busy = await clinicWithSmtp('Busy', ACCOUNT.password, 2, { fallbackToGlobal: false });
  });

  test('probes mark the refused SMTP entries down, and no message reaches the server', async () => {
    smtp.reset();
    await runMonitor();
    const probes = await api.db.prisma.providerProbe.findMany({ where: { clinicId: dead.id }, orderBy: { entryId: 'asc' } });
    assert.deepEqual(probes.map((p) => [p.entryId, p.ok, p.errorKind]).sort(), [[dead.entryId, false, 'AUTH'], ['global:smtp:0', false, 'AUTH']].sort());

    const health = await api.http.get(`/api/v1/clinics/${dead.id}/communication/health`).set(bearer(dead.admins[0]!)).expect(200);
    const entries = (health.body as { providers: Array<{ entryId: string; status: string; lastProbe: { ok: boolean; errorKind: string } | null }> }).providers;
    const own = entries.find((p) => p.entryId === dead.entryId);
    assert.equal(own?.status, 'down');
    assert.deepEqual(own?.lastProbe && [own.lastProbe.ok, own.lastProbe.errorKind], [false, 'AUTH']);
    assert.equal(entries.find((p) => p.entryId === 'global:smtp:0')?.status, 'down');

    const alerts = await api.db.prisma.messagingAlert.findMany({ where: { clinicId: dead.id } });
    assert.deepEqual(
      alerts.map((a) => [a.kind, a.entryId, a.label, a.resolvedAt]).sort(),
      [['CREDENTIALS_REJECTED', dead.entryId, 'Deadmail relay', null], ['CREDENTIALS_REJECTED', 'global:smtp:0', 'platform smtp', null]].sort(),
    );
    // The clinic's own entry: its admin. The platform's entry: its admin and ops.
    const messages = await api.db.prisma.message.findMany({ where: { clinicId: dead.id, category: 'messaging-alert' } });
    assert.deepEqual(messages.map((m) => (m.recipient as { email: string }).email).sort(), ['admin0@deadmail.test', 'admin0@deadmail.test', OPS].sort());
    // Verify logs in with the wrong password and is refused: nothing was sent, also not the alerts themselves.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(smtp.received.length, 0);
  });

  test('200 failed messages in one incident make one alert per kind and one message per admin, however often it is checked', async () => {
    // The outage as the delivery workflows leave it: the entry's circuit open, 200 messages waiting, every attempt failed.
    await api.db.prisma.providerCircuit.create({ data: { clinicId: busy.id, channel: 'email', entryId: busy.entryId, provider: 'smtp', state: 'OPEN', consecutiveFailures: 200, openedAt: new Date() } });
    const ids = Array.from({ length: 200 }, () => randomUUID());
    await api.db.prisma.message.createMany({
      data: ids.map((id) => ({ id, clinicId: busy.id, category: 'reminder', channels: ['email' as const], recipient: { email: 'someone@busy.test' }, body: 'x', status: 'RETRYING' as const, workflowId: `seeded/${id}` })),
    });
    await api.db.prisma.messageAttempt.createMany({
      data: ids.map((messageId) => ({ clinicId: busy.id, messageId, channel: 'email' as const, provider: 'smtp', providerEntryId: busy.entryId, providerLabel: 'Busy relay', attemptKey: `${messageId}:email`, attemptNumber: 1, outcome: 'FAILED' as const, errorKind: 'TRANSIENT', startedAt: new Date() })),
    });

    await runMonitor();
    await runMonitor();
    const open = await api.db.prisma.messagingAlert.findMany({ where: { clinicId: busy.id }, orderBy: { kind: 'asc' } });
    assert.deepEqual(open.map((a) => [a.kind, a.entryId, a.resolvedAt]), [['CIRCUIT_OPEN', busy.entryId, null], ['CHANNEL_SILENT', '', null]]);
    // Two incidents, two admins: four messages, nothing per failed message, nothing from the second check.
    assert.equal(await alertMessages(busy.id, 'messaging-alert'), 4);
    const details = JSON.stringify(open.map((a) => a.details));
    assert.doesNotMatch(details, /@/, 'no addresses in alert details');

    const listed = await api.http.get(`/api/v1/clinics/${busy.id}/communication/alerts?open=true`).set(bearer(busy.admins[0]!)).expect(200);
    assert.equal((listed.body as { data: unknown[] }).data.length, 2);
    const bad = await api.http.get(`/api/v1/clinics/${busy.id}/communication/alerts?kind=NOPE`).set(bearer(busy.admins[0]!)).expect(400);
    assert.match(JSON.stringify(bad.body), /kind/);
  });

  test('when the incident clears, each admin gets one recovery note, delivered', async () => {
    await api.db.prisma.providerCircuit.updateMany({ where: { clinicId: busy.id }, data: { state: 'CLOSED', consecutiveFailures: 0, openedAt: null } });
    await api.db.prisma.message.updateMany({ where: { clinicId: busy.id, category: 'reminder' }, data: { status: 'DELIVERED' } });
    const [first] = await api.db.prisma.message.findMany({ where: { clinicId: busy.id, category: 'reminder' }, take: 1 });
    await api.db.prisma.messageAttempt.create({ data: { clinicId: busy.id, messageId: first!.id, channel: 'email', provider: 'smtp', providerEntryId: busy.entryId, providerLabel: 'Busy relay', attemptKey: `${first!.id}:email`, round: 2, attemptNumber: 1, outcome: 'ACCEPTED', startedAt: new Date() } });

    await runMonitor();
    await runMonitor();
    const alerts = await api.db.prisma.messagingAlert.findMany({ where: { clinicId: busy.id } });
    assert.equal(alerts.length, 2);
    assert.ok(alerts.every((a) => a.resolvedAt !== null));
    assert.equal(await alertMessages(busy.id, 'messaging-recovered'), 4);
    for (const admin of busy.admins) {
      await eventually(`a recovery note to ${admin.email}`, async () =>
        smtp.received.filter((m) => m.to?.some((t) => t.address === admin.email) && /recovered/.test(m.subject ?? '')).length === 2,
      );
    }
    const resolved = await api.http.get(`/api/v1/clinics/${busy.id}/communication/alerts?open=false&kind=CIRCUIT_OPEN`).set(bearer(busy.admins[0]!)).expect(200);
    assert.deepEqual((resolved.body as { data: Array<{ kind: string }> }).data.map((a) => a.kind), ['CIRCUIT_OPEN']);
  });

  test('a run pages through the clinics and continues as new, checking each once and raising nothing twice', async () => {
    const alertsBefore = await api.db.prisma.messagingAlert.count();
    const result = await api.temporal.client.workflow.execute(messagingMonitorWorkflow, { workflowId: `messaging-monitor-paged-${randomUUID()}`, taskQueue: TASK_QUEUES.operations, args: [{ clinicsPerRun: 1 }] });
    assert.deepEqual(result, { checked: 2, raised: 0, resolved: 0 });
    assert.equal(await api.db.prisma.messagingAlert.count(), alertsBefore);
  });
});
