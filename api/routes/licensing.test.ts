import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localDate } from '../../domain/dates';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';

let api: TestApi;

before(async () => {
  api = await startTestApi();
});
after(async () => api?.close());

const daysAgo = (n: number) => new Date(Date.parse(`${localDate(new Date(), 'UTC')}T00:00:00Z`) - n * 86_400_000);

async function clinicWith(tier: string, status: 'ACTIVE' | 'SUSPENDED' = 'ACTIVE') {
  const clinic = await createClinic(api, { tier, status });
  return { clinic, admin: await actor(api, 'CLINIC_ADMIN', clinic.id) };
}

describe('tiers and current usage', () => {
  test('GET /licensing/tiers lists the four tiers with their limits, in order', async () => {
    const { admin } = await clinicWith('S');
    const res = await api.http.get('/api/v1/licensing/tiers').set(bearer(admin)).expect(200);
    const tiers = res.body as Array<{ code: string; limits: { maxStaff: number }; monthlyPrice: string }>;
    assert.deepEqual(tiers.map((t) => t.code), ['S', 'M', 'L', 'XL']);
    assert.deepEqual(tiers.map((t) => t.limits.maxStaff), [5, 15, 50, 200]);
    assert.match(tiers[0]!.monthlyPrice, /^\d+\.\d{2}$/);
  });

  test('GET /licensing/current counts active staff and patients live and reports the status', async () => {
    const { clinic, admin } = await clinicWith('S');
    // The admin plus three more active staff (one inactive does not count): 4 of 5 = 80 %.
    await api.db.prisma.staffUser.createMany({
      data: [1, 2, 3, 4].map((i) => ({ clinicId: clinic.id, email: `cur-${clinic.id}-${i}@t.test`, passwordHash: 'x', firstName: 'N', lastName: `${i}`, role: 'NURSE' as const, active: i !== 4 })),
    });
    const res = await api.http.get('/api/v1/licensing/current').set(bearer(admin)).expect(200);
    assert.deepEqual(res.body, {
      tier: { code: 'S', name: 'Small' },
      limits: { maxStaff: 5, maxPatients: 250, maxAppointmentsPerMonth: 600 },
      usage: { staff: 4, patients: 0, appointments: 0 },
      usagePercent: { STAFF: 80, PATIENTS: 0, APPOINTMENTS: 0 },
      status: 'WARNING',
      subscriptionStatus: 'ACTIVE',
    });
  });
});

describe('usage history and alerts', () => {
  test('GET /licensing/usage keeps the peak of each period', async () => {
    const { clinic, admin } = await clinicWith('M');
    const row = (date: Date, staff: number) => ({ clinicId: clinic.id, date, tierCode: 'M', staffCount: staff, patientCount: 1, appointmentCount: 0, maxStaff: 15, maxPatients: 1000, maxAppointmentsPerMonth: 2500 });
    await api.db.prisma.licenseUsage.createMany({ data: [row(daysAgo(0), 3), row(daysAgo(1), 9), row(daysAgo(2), 4), row(daysAgo(40), 12)] });

    const daily = await api.http.get('/api/v1/licensing/usage').set(bearer(admin)).expect(200);
    const history = daily.body as { period: string; points: Array<{ periodStart: string; peak: { staff: number } }> };
    assert.equal(history.period, 'daily');
    assert.deepEqual(history.points.map((p) => p.peak.staff), [4, 9, 3], 'last 30 days only, oldest first');

    const quarterOf = (d: Date) => `${d.getUTCFullYear()}-${String(Math.floor(d.getUTCMonth() / 3) * 3 + 1).padStart(2, '0')}-01`;
    const expected = new Map<string, number>();
    for (const [d, staff] of [[daysAgo(0), 3], [daysAgo(1), 9], [daysAgo(2), 4], [daysAgo(40), 12]] as const) {
      expected.set(quarterOf(d), Math.max(expected.get(quarterOf(d)) ?? 0, staff));
    }
    const quarterly = await api.http.get('/api/v1/licensing/usage?period=quarterly').set(bearer(admin)).expect(200);
    const points = (quarterly.body as { points: Array<{ periodStart: string; peak: { staff: number } }> }).points;
    assert.deepEqual(points.map((p) => [p.periodStart, p.peak.staff]), [...expected.entries()].sort());

    expectError(await api.http.get('/api/v1/licensing/usage?period=hourly').set(bearer(admin)), 400, 'VALIDATION_ERROR');
  });

  test('GET /licensing/alerts filters open and cleared alerts', async () => {
    const { clinic, admin } = await clinicWith('S');
    const alert = (level: 'WARNING' | 'EXCEEDED', clearedAt: Date | null) => ({ clinicId: clinic.id, metric: 'STAFF' as const, level, usage: 5, limit: 5, percent: 100, checkDate: daysAgo(1), workflowId: 'w', clearedAt });
    await api.db.prisma.licenseAlert.createMany({ data: [alert('WARNING', null), alert('EXCEEDED', new Date())] });
    const open = await api.http.get('/api/v1/licensing/alerts?status=open').set(bearer(admin)).expect(200);
    assert.deepEqual((open.body as Array<{ level: string }>).map((a) => a.level), ['WARNING']);
    const all = await api.http.get('/api/v1/licensing/alerts').set(bearer(admin)).expect(200);
    assert.equal((all.body as unknown[]).length, 2);
  });
});

describe('tier change requests', () => {
  let admin: Actor;
  let clinicId: string;

  before(async () => {
    const c = await clinicWith('M');
    admin = c.admin;
    clinicId = c.clinic.id;
  });

  test('an upgrade is recorded for the billing team and audited', async () => {
    const res = await api.http.post('/api/v1/licensing/upgrade').set(bearer(admin)).send({ tier: 'L', reason: 'opening a second site' }).expect(201);
    const body = res.body as { id: string; kind: string; fromTier: string; toTier: string; status: string; requestedById: string };
    assert.deepEqual([body.kind, body.fromTier, body.toTier, body.status, body.requestedById], ['UPGRADE', 'M', 'L', 'PENDING', admin.id]);
    const audit = await api.db.prisma.auditLog.findMany({ where: { clinicId, entityId: body.id } });
    assert.deepEqual(audit.map((a) => [a.action, a.actorId]), [['licensing.upgrade-request', admin.id]]);
    const list = await api.http.get('/api/v1/licensing/change-requests').set(bearer(admin)).expect(200);
    assert.deepEqual((list.body as Array<{ id: string }>).map((r) => r.id), [body.id]);
  });

  test('a second request while one is pending is refused', async () => {
    expectError(await api.http.post('/api/v1/licensing/downgrade').set(bearer(admin)).send({ tier: 'S' }), 409, 'CHANGE_REQUEST_PENDING');
  });

  test('the direction must match: no "upgrade" to a lower tier, no "downgrade" to a higher one', async () => {
    await api.db.prisma.licenseChangeRequest.updateMany({ where: { clinicId }, data: { status: 'REJECTED' } });
    const up = expectError(await api.http.post('/api/v1/licensing/upgrade').set(bearer(admin)).send({ tier: 'S' }), 422, 'INVALID_TIER_CHANGE');
    assert.equal(up.message, 'S is not an upgrade from M');
    expectError(await api.http.post('/api/v1/licensing/downgrade').set(bearer(admin)).send({ tier: 'XL' }), 422, 'INVALID_TIER_CHANGE');
    expectError(await api.http.post('/api/v1/licensing/upgrade').set(bearer(admin)).send({ tier: 'M' }), 422, 'INVALID_TIER_CHANGE');
    expectError(await api.http.post('/api/v1/licensing/upgrade').set(bearer(admin)).send({ tier: 'XXL' }), 400, 'VALIDATION_ERROR');
  });
});

describe('who may run checks and ask for changes', () => {
  test('a receptionist reads the licence but cannot run a check or ask for a change', async () => {
    const { clinic } = await clinicWith('S');
    const reception = await actor(api, 'RECEPTIONIST', clinic.id);
    await api.http.get('/api/v1/licensing/current').set(bearer(reception)).expect(200);
    expectError(await api.http.post('/api/v1/licensing/check').set(bearer(reception)), 403, 'FORBIDDEN');
    expectError(await api.http.post('/api/v1/licensing/upgrade').set(bearer(reception)).send({ tier: 'M' }), 403, 'FORBIDDEN');
  });

  test('a suspended clinic reads its licence but cannot start a check', async () => {
    const { admin } = await clinicWith('S', 'SUSPENDED');
    await api.http.get('/api/v1/licensing/current').set(bearer(admin)).expect(200);
    expectError(await api.http.post('/api/v1/licensing/check').set(bearer(admin)), 403, 'SUBSCRIPTION_INACTIVE');
  });

  test('ops run a clinic\'s check by naming the clinic; the workflow id carries the clinic\'s local date', async () => {
    const clinic = await createClinic(api, { tier: 'S', timezone: 'Pacific/Kiritimati' });
    const ops = await actor(api, 'OPS', null);
    const res = await api.http.post('/api/v1/licensing/check').set(bearer(ops)).set('X-Clinic-Id', clinic.id).expect(202);
    const body = res.body as { workflowId: string; date: string };
    assert.equal(body.date, localDate(new Date(), 'Pacific/Kiritimati'));
    assert.equal(body.workflowId, `licensing/${clinic.id}/${body.date}`);
    // No worker runs in this file: the started workflow is only inspected, then ended.
    const handle = api.temporal.client.workflow.getHandle(body.workflowId);
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    await handle.terminate('test finished');
  });
});
