/**
 * Message delivery end to end on real servers: the API accepts a message, the worker's delivery
 * workflow sends it through the clinic's own providers (a local SMTP server and an SES-speaking
 * peer, reached through the real SDKs), and the delivery log shows every attempt.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENCRYPTED_ENCODING } from '../temporal-config/encryption-codec';
import { type SesPeer, startSesPeer } from './fakes/ses-peer';
import { type SmtpPeer, startSmtpPeer } from './fakes/smtp-peer';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from './support/api';
import { deliveryOutcome } from './support/deliveries';
import { startTestWorker, type TestWorker } from './support/worker';

let api: TestApi;
let smtp: SmtpPeer;
let ses: SesPeer;
let worker: TestWorker;

const SMTP_ACCOUNT = { username: 'alpha-desk', password: 'alpha-smtp-password-1' };
const SES_KEY = 'AKIABRAVOCLINIC00001';

interface Clinic {
  id: string;
  admin: Actor;
  patientId: string;
  patientEmail: string;
}
let alpha: Clinic;
let bravo: Clinic;

async function clinicWith(name: string, providers: object[], language: string): Promise<Clinic> {
  const clinic = await createClinic(api, { name });
  const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
  await api.http.put(`/api/v1/clinics/${clinic.id}/communication/email`).set(bearer(admin)).send({ providers, settings: { retryAttempts: 1 } }).expect(200);
  const patientEmail = `patient@${name.toLowerCase()}.test`;
  const patient = await api.db.prisma.patient.create({ data: { clinicId: clinic.id, firstName: 'Lucía', lastName: 'Ortega', email: patientEmail, barcode: `${name}-1`, preferredLanguage: language } });
  return { id: clinic.id, admin, patientId: patient.id, patientEmail };
}

async function send(c: Clinic, extra: object = {}) {
  const res = await api.http
    .post('/api/v1/communication/send')
    .set(bearer(c.admin))
    .send({ category: 'appointment-confirmation', recipients: [{ patientId: c.patientId }], channels: ['email'], template: 'appointment-confirmation', variables: { date: '2026-12-01', time: '10:30' }, ...extra })
    .expect(202);
  const [accepted] = (res.body as { messages: Array<{ id: string; workflowId: string }> }).messages;
  assert.ok(accepted);
  const result = await deliveryOutcome(api.db.prisma, accepted.id);
  return { ...accepted, result };
}

const smtpProvider = (account: { username: string; password: string }, from: string) => ({ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, ...account, fromAddress: from, fromName: 'Alpha Physio' } });

before(async () => {
  api = await startTestApi();
  [smtp, ses] = await Promise.all([startSmtpPeer(SMTP_ACCOUNT), startSesPeer({ accessKeyId: SES_KEY })]);
  worker = await startTestWorker(api, { smtp: smtp.url, ses: ses.url });

  alpha = await clinicWith('Alpha', [smtpProvider(SMTP_ACCOUNT, 'desk@alpha.test')], 'es');
  bravo = await clinicWith(
    'Bravo',
    [
      // Bravo's SMTP password is wrong: the server refuses it, and SES takes over.
      smtpProvider({ username: 'bravo-desk', password: 'not-the-right-password' }, 'desk@bravo.test'),
      { provider: 'ses', credentials: { region: 'eu-west-1', accessKeyId: SES_KEY, secretAccessKey: 'bravo-ses-secret-0123456789', fromAddress: 'desk@bravo.test' } },
    ],
    'en',
  );
});

after(async () => {
  await worker?.stop();
  await Promise.all([smtp?.stop(), ses?.stop()]);
  await api?.close();
});

describe('delivering through the clinic\'s own providers', () => {
  test('a confirmation arrives at the SMTP server in the patient\'s language, and the log shows the attempt', async () => {
    const sent = await send(alpha);
    assert.deepEqual([sent.result.status, sent.result.provider], ['DELIVERED', 'smtp']);
    const mails = smtp.received.filter((m) => m.to?.some((t) => t.address === alpha.patientEmail));
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.subject, 'Su cita en Alpha está reservada');
    assert.match(mails[0]!.text ?? '', /Hola Lucía, su cita en Alpha el 2026-12-01 a las 10:30 está confirmada\./);
    assert.equal(mails[0]!.from?.address, 'desk@alpha.test');

    const log = await api.http.get(`/api/v1/messages/${sent.id}`).set(bearer(alpha.admin)).expect(200);
    const body = log.body as { status: string; provider: string; attempts: Array<{ provider: string; outcome: string; attemptNumber: number }> };
    assert.equal(body.status, 'DELIVERED');
    assert.deepEqual(body.attempts.map((a) => [a.provider, a.outcome, a.attemptNumber]), [['smtp', 'ACCEPTED', 1]]);
    const patientLog = await api.http.get(`/api/v1/patients/${alpha.patientId}/messages`).set(bearer(alpha.admin)).expect(200);
    assert.ok((patientLog.body as { data: Array<{ id: string }> }).data.some((m) => m.id === sent.id));
  });

  test('a message its first try did not deliver has a workflow, found by ClinicId, that carries only encrypted ids', async () => {
    // Bravo's SMTP account refuses the credentials: the first try fails, the workflow delivers through SES.
    const sent = await send(bravo);
    const query = `ClinicId = "${bravo.id}" AND WorkflowKind = "message-delivery" AND PatientId = "${bravo.patientId}"`;
    let found = false;
    for (let i = 0; i < 50 && !found; i++) {
      for await (const wf of api.temporal.client.workflow.list({ query })) found ||= wf.workflowId === sent.workflowId;
      if (!found) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(found, 'visible to ops filtering by clinic, kind and patient');
    const history = await api.temporal.client.workflow.getHandle(sent.workflowId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.equal(Buffer.from(input?.metadata?.encoding ?? []).toString(), ENCRYPTED_ENCODING);
    const historyText = JSON.stringify(history);
    assert.ok(!historyText.includes(bravo.patientEmail) && !historyText.includes('Lucía'), 'no contact details or names in history');
  });

  test('a provider that refuses the credentials is skipped for the next one in the chain', async () => {
    const before = smtp.received.length;
    const viaSes = () => ses.sent.filter((m) => m.to.includes(bravo.patientEmail)).length;
    const sesBefore = viaSes();
    const sent = await send(bravo);
    assert.deepEqual([sent.result.status, sent.result.provider], ['DELIVERED', 'ses']);
    assert.equal(smtp.received.length, before, 'nothing went out through the refused SMTP account');
    assert.equal(viaSes(), sesBefore + 1);
    const attempts = await api.db.prisma.messageAttempt.findMany({ where: { messageId: sent.id }, orderBy: { startedAt: 'asc' } });
    assert.deepEqual(attempts.map((a) => [a.provider, a.outcome, a.errorKind]), [
      ['smtp', 'FAILED', 'AUTH'],
      ['ses', 'ACCEPTED', null],
    ]);
  });

  test('two SMTP accounts in one chain (seed 000, example 6): the relay refuses, the backup delivers once, and the attempts name both entries', async () => {
    const charlie = await clinicWith(
      'Charlie',
      [
        { ...smtpProvider({ username: 'charlie-relay', password: 'not-the-right-password' }, 'desk@charlie.test'), label: 'SendGrid relay' },
        { ...smtpProvider(SMTP_ACCOUNT, 'desk@charlie.test'), label: 'Gmail backup' },
      ],
      'en',
    );
    const sent = await send(charlie);
    assert.deepEqual([sent.result.status, sent.result.provider, sent.result.label], ['DELIVERED', 'smtp', 'Gmail backup']);
    assert.equal(smtp.received.filter((m) => m.to?.some((t) => t.address === charlie.patientEmail)).length, 1, 'delivered once');
    const attempts = await api.db.prisma.messageAttempt.findMany({ where: { messageId: sent.id }, orderBy: { startedAt: 'asc' } });
    assert.deepEqual(attempts.map((a) => [a.provider, a.providerLabel, a.outcome, a.errorKind]), [
      ['smtp', 'SendGrid relay', 'FAILED', 'AUTH'],
      ['smtp', 'Gmail backup', 'ACCEPTED', null],
    ]);
    assert.notEqual(attempts[0]!.providerEntryId, attempts[1]!.providerEntryId);
  });

  test('a suppressed address gets nothing', async () => {
    await api.db.prisma.suppression.create({ data: { clinicId: alpha.id, channel: 'email', address: alpha.patientEmail, reason: 'HARD_BOUNCE' } });
    const before = smtp.received.length;
    const sent = await send(alpha);
    assert.equal(sent.result.status, 'SUPPRESSED');
    assert.equal(smtp.received.length, before);
    await api.db.prisma.suppression.deleteMany({ where: { clinicId: alpha.id } });
  });
});

describe('isolation', () => {
  test('two clinics sending at once each use only their own credentials and sender', async () => {
    const smtpBefore = smtp.received.length;
    const sesBefore = ses.sent.length;
    const results = await Promise.all([...Array.from({ length: 4 }, () => send(alpha)), ...Array.from({ length: 4 }, () => send(bravo))]);
    assert.ok(results.every((r) => r.result.status === 'DELIVERED'));
    const viaSmtp = smtp.received.slice(smtpBefore);
    const viaSes = ses.sent.slice(sesBefore);
    assert.equal(viaSmtp.length, 4);
    assert.ok(viaSmtp.every((m) => m.from?.address === 'desk@alpha.test' && m.to?.every((t) => t.address === alpha.patientEmail)));
    assert.equal(viaSes.length, 4);
    assert.ok(viaSes.every((m) => m.from.includes('desk@bravo.test') && m.to.every((t) => t === bravo.patientEmail)));
  });
});
