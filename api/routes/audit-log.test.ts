/**
 * The audit trail through the real API: reading a patient's record, appointments, dues, credits,
 * payments or messages leaves one entry per patient (who, which patient, when; never the values),
 * and GET /audit-log reads the trail, filtered and paged, for the clinic admin's own clinic or, for
 * platform staff, any clinic.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';

const AUDIT = '/api/v1/audit-log';

interface Entry {
  id: string;
  clinicId: string | null;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string;
  changes: Record<string, unknown> | null;
  requestId: string | null;
  createdAt: string;
}
interface Page {
  data: Entry[];
  nextCursor: string | null;
}

let api: TestApi;
let clinicId: string;
let otherClinicId: string;
let admin: Actor;
let otherAdmin: Actor;
let receptionist: Actor;
let accountant: Actor;
let manager: Actor;
let doctor: Actor;
let superAdmin: Actor;
let ops: Actor;
let patient: { id: string; firstName: string; lastName: string; barcode: string };

before(async () => {
  api = await startTestApi();
  clinicId = (await createClinic(api, { tier: 'L' })).id;
  otherClinicId = (await createClinic(api, { tier: 'L' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  otherAdmin = await actor(api, 'CLINIC_ADMIN', otherClinicId);
  receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  accountant = await actor(api, 'ACCOUNTANT', clinicId);
  manager = await actor(api, 'MANAGER', clinicId);
  doctor = await actor(api, 'DOCTOR', clinicId);
  superAdmin = await actor(api, 'SUPER_ADMIN', null);
  ops = await actor(api, 'OPS', null);
  const u = randomUUID().slice(0, 8);
  // Names found nowhere else, so the check that the trail holds none of them means something.
  patient = await api.db.prisma.patient.create({ data: { clinicId, firstName: `Zelinda${u}`, lastName: `Quarrington${u}`, barcode: `AUD-${u}` } });
});

after(async () => {
  await api?.close();
});

/** The trail's rows for this patient and action, as stored. */
const entriesFor = (patientId: string, action: string) => api.db.prisma.auditLog.findMany({ where: { entityType: 'Patient', entityId: patientId, action }, orderBy: { id: 'asc' } });
const readAudit = (who: Actor, query: Record<string, string | number> = {}, headers: Record<string, string> = {}) => api.http.get(AUDIT).query(query).set(bearer(who)).set(headers);

describe('reading a patient leaves a trace', () => {
  test("each read of a patient's record, appointments, dues, credits, payments or messages writes one entry naming who, which patient and when, without values", async () => {
    const appointment = await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: doctor.id, startsAt: '2026-03-02T10:00:00Z', endsAt: '2026-03-02T10:50:00Z', status: 'COMPLETED', price: '80.00', reason: 'lower back pain' });
    const message = await api.db.prisma.message.create({
      data: { clinicId, patientId: patient.id, category: 'manual', channels: ['email'], body: 'See you on Monday', workflowId: `message/${clinicId}/${randomUUID()}`, status: 'DELIVERED' },
    });
    await api.db.prisma.payment.create({ data: { clinicId, patientId: patient.id, appointmentId: appointment.id, amount: '30.00', currency: 'EUR', method: 'CASH', idempotencyKey: randomUUID() } });

    const reads: Array<[Actor, string, string]> = [
      [receptionist, `/api/v1/patients/${patient.id}`, 'patient.read'],
      [receptionist, `/api/v1/patients/${patient.id}/messages`, 'patient.messages.read'],
      [receptionist, `/api/v1/messages/${message.id}`, 'patient.messages.read'],
      [receptionist, `/api/v1/appointments/${appointment.id}`, 'appointment.read'],
      [accountant, `/api/v1/patients/${patient.id}/outstanding-dues`, 'patient.dues.read'],
      [accountant, `/api/v1/patients/${patient.id}/credits`, 'patient.credits.read'],
    ];
    for (const [who, path, action] of reads) {
      const before = await entriesFor(patient.id, action);
      const res = await api.http.get(path).set(bearer(who)).expect(200);
      const added = (await entriesFor(patient.id, action)).filter((e) => !before.some((b) => b.id === e.id));
      assert.equal(added.length, 1, `${path} wrote ${added.length} ${action} entries`);
      const [entry] = added;
      assert.equal(entry!.clinicId, clinicId);
      assert.equal(entry!.actorId, who.id);
      assert.equal(entry!.actorRole, who === accountant ? 'ACCOUNTANT' : 'RECEPTIONIST');
      assert.equal(entry!.changes, null, 'a read stores no values');
      assert.equal(entry!.requestId, res.headers['x-request-id']);
      assert.ok(Date.now() - entry!.createdAt.getTime() < 60_000);
    }

    // Lists: one entry per patient shown, written in one go.
    const second = await createPatient(api, clinicId);
    await insertAppointment(api, { clinicId, patientId: second.id, practitionerId: doctor.id, startsAt: '2026-03-03T10:00:00Z', endsAt: '2026-03-03T10:50:00Z' });
    for (const [who, path, action, patients] of [
      [receptionist, '/api/v1/patients?limit=100', 'patient.list', [patient.id, second.id]],
      [receptionist, '/api/v1/appointments?limit=100', 'appointment.list', [patient.id, second.id]],
      [receptionist, '/api/v1/messages?limit=100', 'patient.messages.list', [patient.id]],
      [accountant, '/api/v1/payments?limit=100', 'patient.payments.list', [patient.id]],
    ] as Array<[Actor, string, string, string[]]>) {
      const res = await api.http.get(path).set(bearer(who)).expect(200);
      const rows = await api.db.prisma.auditLog.findMany({ where: { action, requestId: res.headers['x-request-id'] as string } });
      assert.deepEqual(rows.map((r) => r.entityId).sort(), [...patients].sort(), path);
      assert.ok(rows.every((r) => r.actorId === who.id && r.clinicId === clinicId && r.changes === null));
    }

    // Nothing of what was read is in the trail.
    const trail = JSON.stringify(await api.db.prisma.auditLog.findMany({ where: { entityId: { in: [patient.id, second.id] } } })).toLowerCase();
    for (const value of [patient.firstName, patient.lastName, patient.barcode, 'lower back pain', 'see you on monday', '30.00']) assert.equal(trail.includes(value.toLowerCase()), false, `the trail holds ${value}`);
  });

  test('a read that finds nothing writes nothing', async () => {
    const unknown = randomUUID();
    await api.http.get(`/api/v1/patients/${unknown}`).set(bearer(receptionist)).expect(404);
    await api.http.get(`/api/v1/patients/${unknown}/outstanding-dues`).set(bearer(accountant)).expect(404);
    assert.equal(await api.db.prisma.auditLog.count({ where: { entityId: unknown } }), 0);
  });
});

describe('GET /api/v1/audit-log', () => {
  /** Entries written straight into the table at known times, so the filters have something definite to find. */
  let seeded: { early: string; middle: string; late: string; other: string; platform: string };
  const subject = randomUUID();

  before(async () => {
    const at = (iso: string) => new Date(iso);
    const p = api.db.prisma;
    // Written out of time order (the other clinic's last), so the order by time is not the order of writing.
    const early = await p.auditLog.create({ data: { clinicId, actorId: admin.id, actorRole: 'CLINIC_ADMIN', action: 'staff.update', entityType: 'StaffUser', entityId: subject, createdAt: at('2026-01-05T09:00:00Z') } });
    const middle = await p.auditLog.create({ data: { clinicId, actorId: receptionist.id, actorRole: 'RECEPTIONIST', action: 'patient.read', entityType: 'Patient', entityId: subject, createdAt: at('2026-01-06T09:00:00Z') } });
    const late = await p.auditLog.create({ data: { clinicId, actorId: admin.id, actorRole: 'CLINIC_ADMIN', action: 'patient.update', entityType: 'Patient', entityId: subject, createdAt: at('2026-01-07T09:00:00Z'), changes: { before: { firstName: '[redacted]' }, after: { firstName: '[redacted]' } } } });
    const other = await p.auditLog.create({ data: { clinicId: otherClinicId, actorId: otherAdmin.id, actorRole: 'CLINIC_ADMIN', action: 'patient.read', entityType: 'Patient', entityId: subject, createdAt: at('2026-01-06T10:00:00Z') } });
    const platform = await p.auditLog.create({ data: { clinicId: null, actorId: ops.id, actorRole: 'OPS', action: 'codec.session', entityType: 'StaffUser', entityId: ops.id, createdAt: at('2026-01-06T11:00:00Z') } });
    seeded = { early: early.id, middle: middle.id, late: late.id, other: other.id, platform: platform.id };
  });

  const ids = (res: { body: unknown }) => (res.body as Page).data.map((e) => e.id);

  test("a clinic admin reads their clinic's trail, newest first, and nothing of another clinic or the platform", async () => {
    const res = await readAudit(admin, { entityId: subject }).expect(200);
    assert.deepEqual(ids(res), [seeded.late, seeded.middle, seeded.early]);
    const [late] = (res.body as Page).data;
    assert.deepEqual(late, {
      id: seeded.late,
      clinicId,
      actorId: admin.id,
      actorRole: 'CLINIC_ADMIN',
      action: 'patient.update',
      entityType: 'Patient',
      entityId: subject,
      changes: { before: { firstName: '[redacted]' }, after: { firstName: '[redacted]' } },
      requestId: null,
      createdAt: '2026-01-07T09:00:00.000Z',
    });
    // X-Clinic-Id does not move clinic staff; naming another clinic in the query answers 404, as /clinics/:id does.
    const all = await readAudit(admin, { limit: 100 }, { 'X-Clinic-Id': otherClinicId }).expect(200);
    assert.ok((all.body as Page).data.every((e) => e.clinicId === clinicId));
    assert.ok(!ids(all).includes(seeded.other) && !ids(all).includes(seeded.platform));
    expectError(await readAudit(admin, { clinicId: otherClinicId }), 404, 'NOT_FOUND');
    assert.deepEqual(ids(await readAudit(admin, { clinicId, entityId: subject }).expect(200)), [seeded.late, seeded.middle, seeded.early]);
  });

  test('filters: entity, actor, action and a time range, together', async () => {
    const find = async (query: Record<string, string>) => ids(await readAudit(admin, { entityId: subject, ...query }).expect(200));
    assert.deepEqual(await find({ entityType: 'Patient' }), [seeded.late, seeded.middle]);
    assert.deepEqual(await find({ actorId: admin.id }), [seeded.late, seeded.early]);
    assert.deepEqual(await find({ action: 'patient.read' }), [seeded.middle]);
    assert.deepEqual(await find({ from: '2026-01-06T00:00:00Z', to: '2026-01-07T00:00:00Z' }), [seeded.middle]);
    assert.deepEqual(await find({ from: '2026-01-06T09:00:00+00:00' }), [seeded.late, seeded.middle], 'from is inclusive');
    assert.deepEqual(await find({ to: '2026-01-06T09:00:00Z' }), [seeded.early], 'to is exclusive');
    assert.deepEqual(await find({ entityType: 'Patient', actorId: admin.id, action: 'patient.update' }), [seeded.late]);
    assert.deepEqual(await find({ actorId: randomUUID() }), []);
  });

  test('pages follow the cursor to the end; a cursor from another clinic positions nothing', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await readAudit(admin, { entityId: subject, limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
      const body = res.body as Page;
      assert.ok(body.data.length <= 2);
      seen.push(...body.data.map((e) => e.id));
      cursor = body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [seeded.late, seeded.middle, seeded.early]);
    const foreign = Buffer.from(seeded.other).toString('base64url');
    const unknown = Buffer.from(randomUUID()).toString('base64url');
    const withForeign = await readAudit(admin, { entityId: subject, cursor: foreign }).expect(200);
    const withUnknown = await readAudit(admin, { entityId: subject, cursor: unknown }).expect(200);
    assert.deepEqual(withForeign.body, withUnknown.body);
    expectError(await readAudit(admin, { cursor: 'not-a-cursor' }), 400, 'INVALID_CURSOR');
  });

  test('platform staff read one clinic with X-Clinic-Id or clinicId, or every clinic and the platform without', async () => {
    for (const who of [superAdmin, ops]) {
      assert.deepEqual(ids(await readAudit(who, { entityId: subject }, { 'X-Clinic-Id': otherClinicId }).expect(200)), [seeded.other]);
      assert.deepEqual(ids(await readAudit(who, { entityId: subject, clinicId }).expect(200)), [seeded.late, seeded.middle, seeded.early]);
      assert.deepEqual(ids(await readAudit(who, { entityId: subject }).expect(200)), [seeded.late, seeded.other, seeded.middle, seeded.early]);
      assert.deepEqual(ids(await readAudit(who, { entityId: ops.id, action: 'codec.session' }).expect(200)), [seeded.platform]);
      expectError(await readAudit(who, { clinicId: randomUUID() }), 404, 'NOT_FOUND');
      expectError(await readAudit(who, {}, { 'X-Clinic-Id': randomUUID() }), 404, 'NOT_FOUND');
      expectError(await readAudit(who, {}, { 'X-Clinic-Id': 'not-a-uuid' }), 400, 'VALIDATION_ERROR');
      const clash = expectError(await readAudit(who, { clinicId }, { 'X-Clinic-Id': otherClinicId }), 400, 'VALIDATION_ERROR');
      assert.deepEqual(detailPaths(clash), ['query.clinicId']);
    }
  });

  test('other roles may not read the trail; bad filters answer 400 with the field', async () => {
    for (const who of [manager, receptionist, accountant, doctor]) expectError(await readAudit(who), 403, 'FORBIDDEN');
    expectError(await api.http.get(AUDIT), 401, 'UNAUTHORIZED');
    const err = expectError(await readAudit(admin, { action: 'patient read', actorId: 'someone', from: 'yesterday', limit: 0 }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(err), ['query.action', 'query.actorId', 'query.from', 'query.limit']);
  });

  test('the OpenAPI document describes the route with its filters', async () => {
    const doc = (await api.http.get('/api/v1/openapi.json').expect(200)).body as { paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }> };
    const op = doc.paths['/api/v1/audit-log']?.get;
    assert.ok(op, 'documented');
    const names = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
    assert.deepEqual(names, ['action', 'actorId', 'clinicId', 'cursor', 'entityId', 'entityType', 'from', 'limit', 'to']);
  });
});
