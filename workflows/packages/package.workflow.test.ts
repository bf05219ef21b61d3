/**
 * The package workflow on Temporal's time-skipping test server (test/support/lifecycle.ts: real
 * activities, PostgreSQL and SMTP deliveries): a package reminds 7 days before expiry and expires
 * its unused sessions on the day; a subscription renews monthly (quota reset, the month paid from
 * credit when it covers it), an unpaid renewal is chased like a balance (notice, follow-ups after 7
 * and 14 days, final notice to the accountant after 21) and the subscription ends when the month
 * went unpaid; one cancelled at period end ends then.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { packagePaidSignal } from '../../domain/packages';
import { packageStart } from '../../domain/temporal';
import { payPackageCharge } from '../../prisma/package-accounts';
import { useLifecycleFixture } from '../../test/support/lifecycle';
import { packageWorkflow } from './package';

const f = useLifecycleFixture();
const DAY = 86_400_000;
const ACCOUNTANT = 'books@sunrise.test';
let planId: string;
let patients = 0;

const to = (address: string) => (m: { to?: Array<{ address: string }> }) => !!m.to?.some((t) => t.address === address);

/** A patient with a package (or subscription) that started now on the server's clock and ends in `days`. */
async function sold(kind: 'PACKAGE' | 'SUBSCRIPTION', days: number, extra: { sessionsRemaining?: number; cancelAtPeriodEnd?: boolean; credit?: string } = {}) {
  const n = ++patients;
  const email = `holder-${n}@patients.test`;
  const patientId = (await f.db.prisma.patient.create({ data: { clinicId: f.clinicId, firstName: 'Holly', lastName: `Holder ${n}`, email, barcode: `PKG-${n}` } })).id;
  if (extra.credit) await f.db.prisma.creditEntry.create({ data: { clinicId: f.clinicId, patientId, amount: extra.credit, currency: 'EUR', method: 'CASH' } });
  const now = (await f.env.currentTimeMs()) as number;
  const id = randomUUID();
  const pkg = await f.db.prisma.patientPackage.create({
    data: {
      id,
      clinicId: f.clinicId,
      patientId,
      planId,
      kind,
      name: kind === 'PACKAGE' ? '10 physio sessions' : '4 sessions a month',
      therapyTypeIds: [],
      sessionsPerPeriod: kind === 'PACKAGE' ? 10 : 4,
      sessionsRemaining: extra.sessionsRemaining ?? 3,
      price: '40.00',
      currency: 'EUR',
      status: 'ACTIVE',
      periodStart: new Date(now),
      expiresAt: new Date(now + days * DAY),
      cancelAtPeriodEnd: extra.cancelAtPeriodEnd ?? false,
      idempotencyKey: id,
      workflowId: `package/${f.clinicId}/${id}`,
    },
  });
  const mails = (subject: RegExp, atLeast: number) => f.emails((m) => to(email)(m) && subject.test(m.subject ?? ''), atLeast);
  return { pkg, patientId, start: packageStart(f.clinicId, pkg), mails, barcode: `PKG-${n}` };
}

const timersOf = async (workflowId: string) =>
  ((await f.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).flatMap((e) => (e.timerStartedEventAttributes ? [Math.round(Number(e.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0) / 86_400)] : []));

describe('a package', () => {
  before(async () => {
    await f.db.prisma.clinic.update({ where: { id: f.clinicId }, data: { currency: 'EUR', settings: { appointments: { reminderChannels: ['email'] }, paymentReminders: { channels: ['email'] } } } });
    await f.db.prisma.staffUser.create({ data: { clinicId: f.clinicId, email: ACCOUNTANT, passwordHash: 'x', firstName: 'Bo', lastName: 'Oks', role: 'ACCOUNTANT' } });
    planId = (await f.db.prisma.packagePlan.create({ data: { clinicId: f.clinicId, name: 'Plan', kind: 'PACKAGE', sessions: 10, validityDays: 90, price: '40.00', currency: 'EUR', therapyTypeIds: [] } })).id;
  });

  test('reminds the patient 7 days before expiry, then expires its unused sessions on the day', async () => {
    const { pkg, start, mails } = await sold('PACKAGE', 10);
    await f.client.workflow.start(packageWorkflow, start);
    assert.deepEqual(await f.env.client.workflow.getHandle(start.workflowId).result(), { status: 'EXPIRED' });
    const [reminder] = await mails(/expires soon/, 1);
    assert.match(reminder?.text ?? '', /3 session\(s\) of your 10 physio sessions at Sunrise are still unused and expire on \d{4}-\d{2}-\d{2}/);
    assert.deepEqual(await timersOf(start.workflowId), [3, 7], 'the reminder 3 days in (7 before the end), the expiry 7 days after');
    const row = await f.db.prisma.patientPackage.findUniqueOrThrow({ where: { id: pkg.id } });
    assert.deepEqual([row.status, row.sessionsRemaining, row.expiredSessions, !!row.expiryReminderSentAt, !!row.endedAt], ['EXPIRED', 0, 3, true, true]);
  });

  test('a subscription cancelled at period end is reminded, then ends with its month', async () => {
    const { pkg, start, mails } = await sold('SUBSCRIPTION', 20, { cancelAtPeriodEnd: true });
    await f.client.workflow.start(packageWorkflow, start);
    assert.deepEqual(await f.env.client.workflow.getHandle(start.workflowId).result(), { status: 'CANCELLED' });
    await mails(/expires soon/, 1);
    const row = await f.db.prisma.patientPackage.findUniqueOrThrow({ where: { id: pkg.id }, include: { charges: true } });
    assert.deepEqual([row.status, row.period, row.charges.length], ['CANCELLED', 1, 0], 'no renewal, nothing charged');
  });
});

describe('a subscription', () => {
  test('renews monthly: the quota is reset and the month paid from credit that covers it', async () => {
    const { pkg, patientId, start } = await sold('SUBSCRIPTION', 2, { sessionsRemaining: 1, credit: '100.00' });
    const handle = await f.client.workflow.start(packageWorkflow, start);
    await f.env.sleep(3 * DAY);
    const row = await f.db.prisma.patientPackage.findUniqueOrThrow({ where: { id: pkg.id }, include: { charges: true } });
    assert.deepEqual([row.status, row.period, row.sessionsRemaining, row.expiredSessions], ['ACTIVE', 2, 4, 1]);
    assert.equal(row.periodStart?.getTime(), pkg.expiresAt!.getTime(), 'the new month starts where the last one ended');
    assert.deepEqual(row.charges.map((c) => [c.kind, c.period, c.status, c.amount.toFixed(2)]), [['RENEWAL', 2, 'PAID', '40.00']]);
    const payment = await f.db.prisma.payment.findFirstOrThrow({ where: { patientId, packageChargeId: row.charges[0]!.id } });
    assert.deepEqual([payment.method, payment.amount.toFixed(2)], ['CREDIT', '40.00']);
    const credit = await f.db.prisma.creditEntry.aggregate({ where: { patientId }, _sum: { amount: true } });
    assert.equal(credit._sum.amount?.toFixed(2), '60.00');
    await handle.terminate('test done');
  });

  test('unpaid, it is chased like a balance (notice, follow-ups after 7 and 14 days, final notice after 21), then ends when the month went unpaid', async () => {
    const { pkg, start, mails, barcode } = await sold('SUBSCRIPTION', 1);
    await f.client.workflow.start(packageWorkflow, start);
    assert.deepEqual(await f.env.client.workflow.getHandle(start.workflowId).result(), { status: 'CANCELLED' });
    const [notice] = await mails(/has renewed/, 1);
    assert.match(notice?.text ?? '', /40\.00 EUR is due/);
    assert.match(notice?.text ?? '', /https:\/\/api\.sunrise\.test\/api\/v1\/pay\/package-charges\/\S+/);
    assert.equal((await mails(/is unpaid/, 2)).length, 2, 'two follow-ups');
    const [final] = await f.emails((m) => to(ACCOUNTANT)(m) && new RegExp(`patient ${barcode}`).test(m.subject ?? ''), 1);
    assert.match(final?.text ?? '', /still owes 40\.00 EUR/);
    // Renewal after a day, then the chase's days from it, then the rest of the unpaid month.
    const timers = await timersOf(start.workflowId);
    assert.deepEqual(timers.slice(0, 4), [1, 7, 7, 7]);
    const row = await f.db.prisma.patientPackage.findUniqueOrThrow({ where: { id: pkg.id }, include: { charges: true } });
    assert.deepEqual([row.status, row.period, row.sessionsRemaining], ['CANCELLED', 2, 0]);
    assert.deepEqual(row.charges.map((c) => [c.period, c.status]), [[2, 'VOID']]);
  });

  test('a payment signalled during the chase stops it: no follow-up, and the subscription is active again', async () => {
    const { pkg, start, mails } = await sold('SUBSCRIPTION', 1);
    const handle = await f.client.workflow.start(packageWorkflow, start);
    await f.env.sleep(1.5 * DAY);
    await mails(/has renewed/, 1);
    const charge = await f.db.prisma.packageCharge.findFirstOrThrow({ where: { patientPackageId: pkg.id, status: 'DUE' } });
    await f.db.prisma.$transaction((tx) => payPackageCharge(tx, { clinicId: f.clinicId, chargeId: charge.id, method: 'CASH', at: new Date(), idempotencyKey: randomUUID() }));
    await handle.signal(packagePaidSignal);
    await f.env.sleep(20 * DAY);
    const row = await f.db.prisma.patientPackage.findUniqueOrThrow({ where: { id: pkg.id } });
    assert.deepEqual([row.status, row.period], ['ACTIVE', 2]);
    assert.equal((await mails(/is unpaid/, 0)).length, 0, 'no follow-up');
    await handle.terminate('test done');
  });
});
