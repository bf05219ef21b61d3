/**
 * The monthly owner report on real servers: the reconciler gives each clinic its Schedule (the 1st
 * at 08:00 in the clinic's zone), and the workflow it starts e-mails every clinic admin, through
 * the delivery workflow and a real SMTP peer, a signed link to last month's PDF, which the API serves.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PDFParse } from 'pdf-parse';
import { previousMonth } from '../activities/reports/monthly-report-activities';
import { SCHEDULE_IDS, TASK_QUEUES } from '../domain/temporal';
import { monthlyReportSchedule } from '../temporal-config/monthly-report-schedule';
import { scheduleMatches } from '../temporal-config/schedule-sync';
import { reconcileSchedules } from '../workers/schedule-reconciler';
import { monthlyOwnerReportWorkflow } from '../workflows/reports/monthly-owner-report';
import { type SmtpPeer, startSmtpPeer } from './fakes/smtp-peer';
import { actor, createClinic, startTestApi, type TestApi } from './support/api';
import { eventually } from './support/eventually';
import { startTestWorker, type TestWorker } from './support/worker';

const ACCOUNT = { username: 'reports', password: 'the-right-smtp-password' };
const GLOBAL = { email: { providers: [{ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, secure: false, username: ACCOUNT.username, password: ACCOUNT.password, fromAddress: 'reports@clinicflow.test' } }] } };

let api: TestApi;
let smtp: SmtpPeer;
let worker: TestWorker;
let clinicId: string;

before(async () => {
  api = await startTestApi({ GLOBAL_MESSAGING_CONFIG: JSON.stringify(GLOBAL) });
  smtp = await startSmtpPeer(ACCOUNT);
  worker = await startTestWorker(api, { smtp: smtp.url });
  clinicId = (await createClinic(api, { name: 'Lotus Physio', tier: 'L', timezone: 'Asia/Kolkata' })).id;
  await actor(api, 'CLINIC_ADMIN', clinicId, `owner-${clinicId.slice(0, 8)}@lotus.test`);
  await actor(api, 'CLINIC_ADMIN', clinicId, `partner-${clinicId.slice(0, 8)}@lotus.test`);
  await actor(api, 'ACCOUNTANT', clinicId);
});

after(async () => {
  await api?.temporal.client.schedule.getHandle(SCHEDULE_IDS.monthlyReport(clinicId)).delete().catch(() => undefined);
  await api?.temporal.client.schedule.getHandle(SCHEDULE_IDS.paymentReminders(clinicId)).delete().catch(() => undefined);
  await worker?.stop();
  await smtp?.stop();
  await api?.close();
});

describe('monthly owner report', () => {
  test('the month reported is the one before the firing, in the clinic calendar', () => {
    assert.equal(previousMonth(new Date('2026-12-01T02:30:00Z'), 'Asia/Kolkata'), '2026-11');
    // 00:30 on 1 December in Kolkata is still 30 November in UTC.
    assert.equal(previousMonth(new Date('2026-11-30T19:00:00Z'), 'Asia/Kolkata'), '2026-11');
    assert.equal(previousMonth(new Date('2026-11-30T19:00:00Z'), 'UTC'), '2026-10');
    assert.equal(previousMonth(new Date('2027-01-01T08:00:00Z'), 'Europe/London'), '2026-12');
  });

  test('the reconciler gives the clinic its Schedule: the 1st at 08:00 in the clinic time zone, and leaves it alone the next time', async () => {
    const first = await reconcileSchedules({ client: api.temporal.client, prisma: api.db.prisma, settings: { licensingHourUtc: 2 }, platform: false });
    assert.ok(first.monthlyReports.created >= 1);
    const d = await api.temporal.client.schedule.getHandle(SCHEDULE_IDS.monthlyReport(clinicId)).describe();
    assert.equal(d.spec.timezone, 'Asia/Kolkata');
    assert.deepEqual(
      d.spec.calendars?.map((c) => [c.dayOfMonth, c.hour, c.minute]),
      [[[{ start: 1, end: 1, step: 1 }], [{ start: 8, end: 8, step: 1 }], [{ start: 0, end: 0, step: 1 }]]],
    );
    assert.ok(d.action.type === 'startWorkflow' && d.action.workflowType === 'monthlyOwnerReportWorkflow');
    assert.ok(scheduleMatches(d, monthlyReportSchedule({ id: clinicId, timezone: 'Asia/Kolkata' })));
    const second = await reconcileSchedules({ client: api.temporal.client, prisma: api.db.prisma, settings: { licensingHourUtc: 2 }, platform: false });
    assert.equal(second.monthlyReports.created + second.monthlyReports.updated, 0);
  });

  test("its workflow e-mails each admin (not the accountant) a link to last month's PDF, which the API serves", async () => {
    smtp.reset();
    const month = previousMonth(new Date(), 'Asia/Kolkata');
    const result = await api.temporal.client.workflow.execute(monthlyOwnerReportWorkflow, { workflowId: `monthly-report-test/${randomUUID()}`, taskQueue: TASK_QUEUES.operations, args: [{ clinicId }] });
    assert.deepEqual(result, { month, messages: 2 });

    const mails = await eventually('both e-mails delivered', async () => (smtp.received.length >= 2 ? smtp.received : undefined));
    assert.deepEqual(mails.flatMap((m) => m.envelope.to).sort(), [`owner-${clinicId.slice(0, 8)}@lotus.test`, `partner-${clinicId.slice(0, 8)}@lotus.test`].sort());
    for (const mail of mails) assert.equal(mail.subject, `Lotus Physio: your report for ${month}`);
    await eventually('both messages marked delivered', async () => {
      const messages = await api.db.prisma.message.findMany({ where: { clinicId, category: 'monthly-report' } });
      return messages.length === 2 && messages.every((m) => m.status === 'DELIVERED');
    });

    const link = /https?:\/\/\S+\/api\/v1\/report-links\/[A-Za-z0-9_.-]+/.exec(mails[0]!.text ?? '')?.[0];
    assert.ok(link, mails[0]!.text);
    const res = await api.http.get(new URL(link).pathname).buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const parser = new PDFParse({ data: new Uint8Array(res.body as Buffer) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    const [y, m] = month.split('-').map(Number) as [number, number];
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    assert.ok(text.includes(`Financial report, ${month}-01 to ${month}-${last}`), text);
    assert.ok(text.includes('Lotus Physio'));
  });
});
