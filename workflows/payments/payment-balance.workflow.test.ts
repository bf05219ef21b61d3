/**
 * The chase of one unpaid balance on Temporal's time-skipping test server (test/support/lifecycle.ts:
 * real activities, PostgreSQL and SMTP deliveries): the reminder with the amount and a signed pay
 * link, follow-ups after 7 and 14 days, the accountant's final notice after 21, and a payment
 * signal that stops it at once (a partial one only lowers the next follow-up).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { reminderOfPayToken } from '../../activities/payments/pay-links';
import { paymentReceivedSignal } from '../../domain/payment-reminders';
import { paymentBalanceStart, workflowIds } from '../../domain/temporal';
import { PAY_LINKS, useLifecycleFixture } from '../../test/support/lifecycle';
import { insertAppointment } from '../../test/support/scheduling';
import { paymentBalanceWorkflow } from './payment-balance';

const f = useLifecycleFixture();
const ACCOUNTANT = 'books@sunrise.test';
const DAY = 86_400_000;
const MONTH = '2026-11';

let patients = 0;

/** A new patient with a completed session they have not paid for, and this month's reminder row for the balance. */
async function unpaidBalance(price: string) {
  const n = ++patients;
  const email = `payer-${n}@patients.test`;
  const patientId = (await f.db.prisma.patient.create({ data: { clinicId: f.clinicId, firstName: 'Pat', lastName: `Payer ${n}`, email, barcode: `PAY-${n}` } })).id;
  // A day of its own: the practitioner's sessions may not overlap.
  const startsAt = new Date(Date.UTC(2026, 9, n, 10));
  const session = await insertAppointment(f, { clinicId: f.clinicId, patientId, practitionerId: f.practitioner.id, status: 'COMPLETED', startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString(), price });
  const run = await f.db.prisma.paymentReminderRun.findFirstOrThrow({ where: { clinicId: f.clinicId, month: MONTH } });
  const reminder = await f.db.prisma.paymentReminder.create({ data: { clinicId: f.clinicId, runId: run.id, patientId, amount: price, currency: 'EUR' } });
  const start = paymentBalanceStart({ clinicId: f.clinicId, month: MONTH, patientId, reminderId: reminder.id });
  const mails = (subject: RegExp, atLeast: number) => f.emails((m) => to(email)(m) && subject.test(m.subject ?? ''), atLeast);
  return { patientId, appointmentId: session.id, reminderId: reminder.id, start, mails, barcode: `PAY-${n}` };
}

async function pay(patientId: string, amount: string, appointmentId: string) {
  await f.db.prisma.payment.create({ data: { clinicId: f.clinicId, patientId, appointmentId, amount, currency: 'EUR', method: 'CASH', idempotencyKey: randomUUID() } });
}

const to = (address: string) => (m: { to?: Array<{ address: string }> }) => !!m.to?.some((t) => t.address === address);

describe('an unpaid balance', () => {
  before(async () => {
    await f.db.prisma.clinic.update({ where: { id: f.clinicId }, data: { currency: 'EUR', settings: { paymentReminders: { channels: ['email'] } } } });
    await f.db.prisma.staffUser.create({ data: { clinicId: f.clinicId, email: ACCOUNTANT, passwordHash: 'x', firstName: 'Bo', lastName: 'Oks', role: 'ACCOUNTANT' } });
    await f.db.prisma.paymentReminderRun.create({ data: { clinicId: f.clinicId, month: MONTH, workflowId: workflowIds.paymentReminderRun(f.clinicId, MONTH), trigger: 'MANUAL' } });
  });

  test('is reminded with the amount and a signed pay link, followed up after 7 and 14 days, then reported to the accountant after 21', async () => {
    const { reminderId, start, mails, barcode } = await unpaidBalance('120.00');
    await f.client.workflow.start(paymentBalanceWorkflow, start);
    const result = await f.env.client.workflow.getHandle(start.workflowId).result();
    assert.deepEqual(result, { status: 'FINAL_NOTICE_SENT' });

    const [reminder] = await mails(/^Your balance at Sunrise/, 1);
    assert.match(reminder?.text ?? '', /120\.00 EUR/);
    const link = /https:\/\/api\.sunrise\.test\/api\/v1\/pay\/(\S+)/.exec(reminder?.text ?? '')?.[1];
    assert.equal(link && reminderOfPayToken(PAY_LINKS.secret, link), reminderId, 'the link names this balance, signed');
    assert.equal((await mails(/is still open/, 2)).length, 2, 'two follow-ups');
    const [notice] = await f.emails((m) => to(ACCOUNTANT)(m) && /^Unpaid after reminders/.test(m.subject ?? ''), 1);
    assert.match(notice?.text ?? '', new RegExp(`${barcode} still owes 120\\.00 EUR .* and 2 follow-up`));

    // The waits were the clinic's days, counted from the reminder.
    const history = await f.client.workflow.getHandle(start.workflowId).fetchHistory();
    const timers = (history.events ?? []).flatMap((e) => (e.timerStartedEventAttributes ? [Number(e.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0) * 1000] : []));
    assert.deepEqual(timers.map((ms) => Math.round(ms / DAY)), [7, 7, 7]);
    const row = await f.db.prisma.paymentReminder.findUniqueOrThrow({ where: { id: reminderId } });
    assert.deepEqual([row.status, row.followUpsSent, !!row.finalNoticeAt], ['FINAL_NOTICE_SENT', 2, true]);
  });

  test('stops at once when a payment that clears it is signalled: no follow-up, no final notice', async () => {
    const { patientId, appointmentId, reminderId, start, mails } = await unpaidBalance('75.00');
    const handle = await f.client.workflow.start(paymentBalanceWorkflow, start);
    await mails(/^Your balance at Sunrise/, 1);
    const sent = f.smtp.received.length;

    await pay(patientId, '75.00', appointmentId);
    await handle.signal(paymentReceivedSignal);
    assert.deepEqual(await f.env.client.workflow.getHandle(start.workflowId).result(), { status: 'SETTLED' });
    assert.equal(f.smtp.received.length, sent, 'nothing more was sent');
    const row = await f.db.prisma.paymentReminder.findUniqueOrThrow({ where: { id: reminderId } });
    assert.deepEqual([row.status, row.followUpsSent, row.finalNoticeAt], ['SETTLED', 0, null]);
    const fired = (await handle.fetchHistory()).events?.filter((e) => e.timerFiredEventAttributes) ?? [];
    assert.equal(fired.length, 0, 'it stopped before the first follow-up was due');
  });

  test('a partial payment keeps it going and the follow-up asks only for what is left', async () => {
    const { patientId, appointmentId, start, mails } = await unpaidBalance('90.00');
    const handle = await f.client.workflow.start(paymentBalanceWorkflow, start);
    await mails(/^Your balance at Sunrise/, 1);
    await pay(patientId, '30.00', appointmentId);
    await handle.signal(paymentReceivedSignal);
    assert.deepEqual(await f.env.client.workflow.getHandle(start.workflowId).result(), { status: 'FINAL_NOTICE_SENT' });
    const followUps = await mails(/is still open/, 2);
    assert.ok(followUps.length >= 2 && followUps.every((m) => (m.text ?? '').includes('60.00 EUR')), 'follow-ups ask for 60.00');
  });
});
