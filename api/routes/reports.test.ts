/**
 * The owner's reports against a small hand-computed dataset in Asia/Kolkata (UTC+5:30), with rows
 * placed on both sides of the clinic's midnight: exact Decimal figures, CSV parsed back with
 * csv-parse, PDF text parsed back with pdf-parse, roles, and the monthly report link.
 *
 * The clock: 2026-12-09T06:00Z = Wednesday 9 December, 11:30 in the clinic (week: Mon 7 – Sun 13).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PDFParse } from 'pdf-parse';
import { reportUrl } from '../../activities/reports/report-links';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';

const NOW = new Date('2026-12-09T06:00:00Z');
const R = '/api/v1/reports';

/** supertest's parser for a binary body: the bytes as one Buffer. */
const binary = (res: { on(event: string, listener: (chunk: Buffer) => void): unknown }, done: (err: Error | null, body: unknown) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function pdfText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

describe('reports', () => {
  let api: TestApi;
  let clinicId: string;
  let admin: Actor;
  const ids: Record<string, string> = {};

  before(async () => {
    api = await startTestApi({}, { deps: { now: () => NOW } });
    const p = api.db.prisma;
    const clinic = await createClinic(api, { tier: 'XL', timezone: 'Asia/Kolkata', name: 'Lotus Physio' });
    clinicId = clinic.id;
    await p.clinic.update({ where: { id: clinicId }, data: { currency: 'INR' } });
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);

    const staff = (firstName: string, lastName: string, role: 'THERAPIST' | 'DOCTOR') =>
      p.staffUser.create({ data: { clinicId, firstName, lastName, role, email: `${firstName.toLowerCase()}-${Math.random().toString(36).slice(2, 7)}@test.clinicflow`, passwordHash: 'x' } });
    const p1 = await staff('Asha', 'Rao', 'THERAPIST');
    const p2 = await staff('Ben', 'Ode', 'DOCTOR');
    ids.p1 = p1.id;
    ids.p2 = p2.id;
    const physio = await p.therapyType.create({ data: { clinicId, name: 'Physio', defaultDurationMinutes: 60, defaultPrice: '1000', currency: 'INR' } });
    const massage = await p.therapyType.create({ data: { clinicId, name: 'Massage', defaultDurationMinutes: 30, defaultPrice: '500', currency: 'INR' } });
    // Mon–Fri 09:00–17:00 less 13:00–13:30 = 450 minutes; Wednesday 9 December only 10:00–12:00 (120).
    const weekdays = [1, 2, 3, 4, 5];
    await p.practitionerSchedule.create({
      data: {
        clinicId,
        practitionerId: p1.id,
        weekly: weekdays.map((weekday) => ({ weekday, start: '09:00', end: '17:00' })),
        breaks: weekdays.map((weekday) => ({ weekday, start: '13:00', end: '13:30' })),
        exceptions: [{ date: '2026-12-09', hours: [{ start: '10:00', end: '12:00' }] }],
      },
    });
    const patient = (firstName: string, createdAt: string) => p.patient.create({ data: { clinicId, firstName, lastName: 'Patient', barcode: `B-${firstName}-${Math.random()}`, createdAt: new Date(createdAt) } });
    const A = await patient('Anu', '2026-10-10T00:00:00Z');
    const B = await patient('Bala', '2026-11-30T19:00:00Z'); // 1 December in the clinic
    const C = await patient('Chitra', '2026-12-02T00:00:00Z');
    ids.A = A.id;
    ids.B = B.id;

    let n = 0;
    const session = async (o: { pr: string; tt: string | null; pt: string; status: string; at: string; minutes: number; price?: string; discount?: string }) => {
      const startsAt = new Date(o.at);
      n++;
      const row = await p.appointment.create({
        data: {
          clinicId,
          reservationId: `APT-RPT${n}-${Math.random().toString(36).slice(2, 8)}`,
          patientId: o.pt,
          practitionerId: o.pr,
          therapyTypeId: o.tt,
          type: 'TREATMENT',
          bookingMode: 'SPECIFIC_TIME',
          status: o.status as 'COMPLETED',
          startsAt,
          endsAt: new Date(startsAt.getTime() + o.minutes * 60_000),
          price: o.price ?? null,
          discount: o.discount ?? '0',
          currency: 'INR',
          idempotencyKey: `rpt-${n}-${Math.random()}`,
          workflowId: `appointment/${clinicId}/rpt-${n}`,
        },
      });
      return row.id;
    };
    const a1 = await session({ pr: p1.id, tt: physio.id, pt: A.id, status: 'COMPLETED', at: '2026-12-07T04:30:00Z', minutes: 60, price: '1000', discount: '100' });
    const a2 = await session({ pr: p1.id, tt: massage.id, pt: B.id, status: 'COMPLETED', at: '2026-12-09T03:30:00Z', minutes: 30, price: '500' });
    await session({ pr: p1.id, tt: physio.id, pt: A.id, status: 'CANCELLED', at: '2026-12-09T05:30:00Z', minutes: 45, price: '1000' });
    await session({ pr: p2.id, tt: physio.id, pt: C.id, status: 'NO_SHOW', at: '2026-12-08T04:30:00Z', minutes: 60, price: '800' });
    await session({ pr: p2.id, tt: null, pt: C.id, status: 'SCHEDULED', at: '2026-12-09T18:00:00Z', minutes: 30 }); // 23:30 today
    const a6 = await session({ pr: p1.id, tt: physio.id, pt: B.id, status: 'COMPLETED', at: '2026-10-15T05:00:00Z', minutes: 60, price: '700' });
    const a7 = await session({ pr: p1.id, tt: massage.id, pt: A.id, status: 'COMPLETED', at: '2026-08-01T05:00:00Z', minutes: 30, price: '300' });
    await session({ pr: p2.id, tt: physio.id, pt: C.id, status: 'SCHEDULED', at: '2026-12-09T18:35:00Z', minutes: 30 }); // 00:05 tomorrow

    const pay = (pt: string, appointmentId: string | null, amount: string, method: 'CASH' | 'CARD' | 'UPI', at: string) =>
      p.payment.create({
        data: { clinicId, patientId: pt, appointmentId, amount, method, currency: 'INR', createdAt: new Date(at), idempotencyKey: `pay-${Math.random()}`, ...(amount.startsWith('-') ? { refundReason: 'goodwill' } : {}) },
      });
    await pay(A.id, a1, '500', 'CASH', '2026-12-07T06:00:00Z');
    await pay(B.id, a2, '500', 'UPI', '2026-12-09T04:00:00Z');
    await pay(A.id, null, '200', 'CARD', '2026-11-30T19:00:00Z'); // 00:30 on 1 December in the clinic
    await pay(B.id, a6, '700', 'CARD', '2026-10-20T05:00:00Z');
    await pay(B.id, a6, '-100', 'CARD', '2026-12-08T05:00:00Z');
    await pay(A.id, a7, '100', 'CASH', '2026-11-30T18:00:00Z'); // 23:30 on 30 November in the clinic

    const expense = (category: string, amount: string, date: string) =>
      p.expense.create({ data: { clinicId, category, amount, date: new Date(`${date}T00:00:00Z`), currency: 'INR', paymentMethod: 'BANK_TRANSFER' } });
    await expense('rent', '30000', '2026-12-01');
    await expense('supplies', '1250.75', '2026-12-05');
    await expense('supplies', '49.25', '2026-12-31');
    await expense('rent', '30000', '2026-11-30');

    // Another clinic's money at the same moments must change nothing here.
    const other = await createClinic(api, { tier: 'L', timezone: 'Asia/Kolkata' });
    const op = await p.patient.create({ data: { clinicId: other.id, firstName: 'Other', lastName: 'Clinic', barcode: 'OTHER-1' } });
    await p.payment.create({ data: { clinicId: other.id, patientId: op.id, amount: '9999', method: 'CASH', currency: 'INR', createdAt: new Date('2026-12-08T05:00:00Z'), idempotencyKey: 'other-1' } });
    await p.expense.create({ data: { clinicId: other.id, category: 'rent', amount: '5555', date: new Date('2026-12-02T00:00:00Z'), currency: 'INR', paymentMethod: 'CASH' } });
  });
  after(async () => {
    await api.close();
  });

  const get = async (path: string, query: Record<string, string> = {}, who: Actor = admin) => (await api.http.get(`${R}${path}`).query(query).set(bearer(who)).expect(200)).body as { data: Record<string, unknown> };

  test('dashboard: today by status, revenue this week and month across the clinic midnight, dues, 30-day rates, utilisation', async () => {
    const { data } = await get('/dashboard');
    assert.deepEqual(data, {
      today: '2026-12-09',
      currency: 'INR',
      todaySessionsByStatus: { CANCELLED: 1, COMPLETED: 1, SCHEDULED: 1 },
      revenue: { thisWeek: '900.00', thisMonth: '1100.00' },
      outstandingDues: { total: '500.00', patients: 2 },
      last30Days: { sessions: 4, noShows: 1, cancellations: 1, noShowRate: '0.2500', cancellationRate: '0.2500' },
      utilisation: [
        { practitionerId: ids.p2, name: 'Ben Ode', bookedMinutes: 120, workingMinutes: 0, utilisation: null },
        { practitionerId: ids.p1, name: 'Asha Rao', bookedMinutes: 90, workingMinutes: 1920, utilisation: '0.0469' },
      ],
      week: { from: '2026-12-07', to: '2026-12-13' },
    });
  });

  test('financial: revenue by therapy type, practitioner and method, refunds, package sales, expenses by category, net', async () => {
    const body = await get('/financial', { from: '2026-12-01', to: '2026-12-31' });
    assert.deepEqual(body.data, {
      currency: 'INR',
      revenue: { received: '1200.00', refunded: '100.00', net: '1100.00' },
      byTherapyType: [
        { key: body.data.byTherapyType && (body.data.byTherapyType as Array<{ key: string }>)[0]!.key, label: 'Massage', received: '500.00', refunded: '0.00', net: '500.00' },
        { key: (body.data.byTherapyType as Array<{ key: string }>)[1]!.key, label: 'Physio', received: '500.00', refunded: '100.00', net: '400.00' },
        { key: null, label: 'No session (on account)', received: '200.00', refunded: '0.00', net: '200.00' },
      ],
      byPractitioner: [
        { key: ids.p1, label: 'Asha Rao', received: '1000.00', refunded: '100.00', net: '900.00' },
        { key: null, label: 'No session (on account)', received: '200.00', refunded: '0.00', net: '200.00' },
      ],
      byMethod: [
        { key: 'CASH', label: 'CASH', received: '500.00', refunded: '0.00', net: '500.00' },
        { key: 'UPI', label: 'UPI', received: '500.00', refunded: '0.00', net: '500.00' },
        { key: 'CARD', label: 'CARD', received: '200.00', refunded: '100.00', net: '100.00' },
      ],
      packageSales: { count: 0, amount: '0.00' },
      expensesByCategory: [
        { category: 'rent', count: 1, amount: '30000.00' },
        { category: 'supplies', count: 2, amount: '1300.00' },
      ],
      expensesTotal: '31300.00',
      net: '-30200.00',
    });
    // A package sold in June (clinic time): counted as a package sale, not as revenue by session, and
    // not as money on account (the dues-ageing test below still sees Anu's sessions unpaid).
    const p = api.db.prisma;
    const plan = await p.packagePlan.create({ data: { clinicId, name: 'Ten physio', kind: 'PACKAGE', sessions: 10, validityDays: 90, price: '9000.00', currency: 'INR', therapyTypeIds: [] } });
    const pkg = await p.patientPackage.create({
      data: {
        clinicId, patientId: ids.A!, planId: plan.id, kind: 'PACKAGE', name: plan.name, therapyTypeIds: [], sessionsPerPeriod: 10, sessionsRemaining: 10, price: '9000.00', currency: 'INR',
        status: 'ACTIVE', periodStart: new Date('2026-06-15T04:00:00Z'), expiresAt: new Date('2026-09-13T04:00:00Z'), idempotencyKey: 'report-package', workflowId: `package/${clinicId}/report-package`,
      },
    });
    const charge = await p.packageCharge.create({ data: { clinicId, patientPackageId: pkg.id, patientId: ids.A!, kind: 'PURCHASE', period: 1, amount: '9000.00', currency: 'INR', status: 'PAID' } });
    await p.payment.create({ data: { clinicId, patientId: ids.A!, packageChargeId: charge.id, amount: '9000.00', currency: 'INR', method: 'UPI', idempotencyKey: 'report-package-payment', createdAt: new Date('2026-06-15T04:00:00Z') } });
    const june = (await get('/financial', { from: '2026-06-01', to: '2026-06-30' })).data as { revenue: { net: string }; packageSales: unknown; net: string };
    assert.deepEqual([june.revenue.net, june.packageSales, june.net], ['0.00', { count: 1, amount: '9000.00' }, '9000.00']);
    // November in the clinic's calendar: only the payment at 23:30 on the 30th, and November's rent.
    const nov = (await get('/financial', { from: '2026-11-01', to: '2026-11-30' })).data as { revenue: { net: string }; expensesTotal: string; net: string };
    assert.deepEqual([nov.revenue.net, nov.expensesTotal, nov.net], ['100.00', '30000.00', '-29900.00']);
  });

  test('sessions: counts by status, per practitioner and therapy type, utilisation over the period', async () => {
    const { data } = await get('/sessions', { from: '2026-12-01', to: '2026-12-09' });
    const d = data as { byStatus: unknown; total: number; perPractitioner: Array<{ label: string; total: number; byStatus: unknown }>; perTherapyType: Array<{ label: string; total: number; byStatus: unknown }>; utilisation: unknown };
    assert.deepEqual(d.byStatus, { CANCELLED: 1, COMPLETED: 2, NO_SHOW: 1, SCHEDULED: 1 });
    assert.equal(d.total, 5);
    assert.deepEqual(d.perPractitioner.map((x) => [x.label, x.total, x.byStatus]), [
      ['Asha Rao', 3, { CANCELLED: 1, COMPLETED: 2 }],
      ['Ben Ode', 2, { NO_SHOW: 1, SCHEDULED: 1 }],
    ]);
    assert.deepEqual(d.perTherapyType.map((x) => [x.label, x.total, x.byStatus]), [
      ['Massage', 1, { COMPLETED: 1 }],
      ['Physio', 3, { CANCELLED: 1, COMPLETED: 1, NO_SHOW: 1 }],
      ['No therapy type', 1, { SCHEDULED: 1 }],
    ]);
    assert.deepEqual(d.utilisation, [
      { practitionerId: ids.p2, name: 'Ben Ode', bookedMinutes: 90, workingMinutes: 0, utilisation: null },
      { practitionerId: ids.p1, name: 'Asha Rao', bookedMinutes: 90, workingMinutes: 2820, utilisation: '0.0319' },
    ]);
  });

  test('dues ageing: on-account money settles the oldest session first; buckets by days in the clinic calendar; the read is audited', async () => {
    const { data } = await get('/dues-aging');
    assert.deepEqual(data, {
      asOf: '2026-12-09',
      currency: 'INR',
      totals: { d0to30: '400.00', d31to60: '100.00', d61to90: '0.00', over90: '0.00', total: '500.00' },
      patients: [
        { patientId: ids.A, name: 'Anu Patient', d0to30: '400.00', d31to60: '0.00', d61to90: '0.00', over90: '0.00', total: '400.00' },
        { patientId: ids.B, name: 'Bala Patient', d0to30: '0.00', d31to60: '100.00', d61to90: '0.00', over90: '0.00', total: '100.00' },
      ],
    });
    const trail = await api.db.prisma.auditLog.findMany({ where: { clinicId, action: 'report.dues-aging' } });
    assert.deepEqual(trail.map((t) => t.entityId).sort(), [ids.A, ids.B].sort());
  });

  test('patients: new (registered in the clinic month) and active (a session held) per month', async () => {
    const { data } = await get('/patients', { from: '2026-10-01', to: '2026-12-31' });
    assert.deepEqual(data, {
      months: [
        { month: '2026-10', newPatients: 1, activePatients: 1 },
        { month: '2026-11', newPatients: 0, activePatients: 0 },
        { month: '2026-12', newPatients: 2, activePatients: 3 },
      ],
    });
  });

  test('CSV: streamed with a header, parsed back to the same figures', async () => {
    const res = await api.http.get(`${R}/financial`).query({ from: '2026-12-01', to: '2026-12-31', format: 'csv' }).set(bearer(admin)).expect(200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    const rows = parseCsv(res.text, { columns: true }) as Array<{ section: string; item: string; metric: string; value: string }>;
    const value = (section: string, item: string, metric: string) => rows.find((r) => r.section === section && r.item === item && r.metric === metric)?.value;
    assert.equal(value('Summary (INR)', 'Net revenue', 'Amount'), '1100.00');
    assert.equal(value('Summary (INR)', 'Net', 'Amount'), '-30200.00');
    assert.equal(value('Revenue by method', 'CARD', 'Refunded'), '100.00');
    assert.equal(value('Expenses by category', 'supplies', 'Amount'), '1300.00');

    const aging = parseCsv((await api.http.get(`${R}/dues-aging`).query({ format: 'csv' }).set(bearer(admin)).expect(200)).text, { columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(aging.filter((r) => r.item === 'Total').map((r) => [r.metric, r.value]), [
      ['0-30 days', '400.00'],
      ['31-60 days', '100.00'],
      ['61-90 days', '0.00'],
      ['90+ days', '0.00'],
      ['Total', '500.00'],
    ]);
    for (const path of ['/dashboard', '/sessions', '/patients']) {
      const csv = parseCsv((await api.http.get(`${R}${path}`).query({ format: 'csv' }).set(bearer(admin)).expect(200)).text, { columns: true }) as unknown[];
      assert.ok(csv.length > 0, path);
    }
  });

  test('PDF: a real PDF whose text carries the figures', async () => {
    const res = await api.http.get(`${R}/financial`).query({ from: '2026-12-01', to: '2026-12-31', format: 'pdf' }).set(bearer(admin)).buffer(true).parse(binary).expect(200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const text = await pdfText(res.body as Buffer);
    for (const expected of ['Lotus Physio', 'Financial report, 2026-12-01 to 2026-12-31', 'Net revenue', '1100.00', '-30200.00', 'supplies']) assert.ok(text.includes(expected), `${expected} in:\n${text}`);
    const dash = await pdfText((await api.http.get(`${R}/dashboard`).query({ format: 'pdf' }).set(bearer(admin)).buffer(true).parse(binary).expect(200)).body as Buffer);
    assert.ok(dash.includes('Revenue this week') && dash.includes('900.00'), dash);
  });

  test('bad periods are refused with 400', async () => {
    for (const query of [{ from: '2026-12-10', to: '2026-12-01' }, { from: '2020-01-01', to: '2026-01-01' }, { from: '2026-02-30' }, { format: 'xml' }]) {
      await api.http.get(`${R}/financial`).query(query).set(bearer(admin)).expect(400);
    }
  });

  test('who reads reports: admin, manager and accountant; not practitioners, the front desk or ops', async () => {
    for (const role of ['MANAGER', 'ACCOUNTANT'] as const) {
      const who = await actor(api, role, clinicId);
      for (const path of ['/dashboard', '/financial', '/sessions', '/dues-aging', '/patients']) await api.http.get(`${R}${path}`).set(bearer(who)).expect(200);
    }
    for (const role of ['DOCTOR', 'THERAPIST', 'NURSE', 'RECEPTIONIST'] as const) {
      const who = await actor(api, role, clinicId);
      for (const path of ['/dashboard', '/financial', '/sessions', '/dues-aging', '/patients']) await api.http.get(`${R}${path}`).set(bearer(who)).expect(403);
    }
    await api.http.get(`${R}/dashboard`).expect(401);
  });

  test("the monthly report link: the month's PDF while it lasts, 410 after, 404 when tampered with", async () => {
    const link = (expiresAt: Date) => reportUrl('http://x', api.config.JWT_SECRET, { clinicId, month: '2026-12', expiresAt }).replace('http://x', '');
    const ok = await api.http.get(link(new Date('2027-01-01T00:00:00Z'))).buffer(true).parse(binary).expect(200);
    const text = await pdfText(ok.body as Buffer);
    assert.ok(text.includes('Financial report, 2026-12-01 to 2026-12-31') && text.includes('Sessions report, 2026-12-01 to 2026-12-31') && text.includes('-30200.00'), text);
    await api.http.get(link(new Date('2026-12-01T00:00:00Z'))).expect(410);
    const forged = link(new Date('2027-01-01T00:00:00Z')).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    await api.http.get(forged).expect(404);
  });
});
