/** Practitioners' working hours and own session terms: saving, reading, validation, tenancy and access. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';

const PRACTITIONERS = '/api/v1/practitioners';

interface HoursBody {
  practitionerId: string;
  timezone: string;
  followsClinicTimezone: boolean;
  weekly: { weekday: number; start: string; end: string }[];
  breaks: { weekday: number; start: string; end: string }[];
  exceptions: { date: string; hours: { start: string; end: string }[] }[];
  timeOff: { from: string; to: string; reason?: string }[];
  updatedAt: string;
}
interface PricingBody {
  practitionerId: string;
  therapyTypeId: string;
  therapyTypeName: string;
  durationMinutes: number;
  price: string;
  currency: string;
  updatedAt: string;
}
type Changes = { before?: Record<string, unknown>; after?: Record<string, unknown> };

const weekdays = (start: string, end: string) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start, end }));

describe('practitioners', () => {
  let api: TestApi;
  let clinicId: string;
  let admin: Actor;
  let therapist: Actor;
  let receptionist: Actor;

  before(async () => {
    api = await startTestApi();
    clinicId = (await createClinic(api, { tier: 'L', timezone: 'Europe/London' })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    therapist = await actor(api, 'THERAPIST', clinicId);
    receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  });
  after(async () => {
    await api.close();
  });

  const hoursUrl = (staffId: string) => `${PRACTITIONERS}/${staffId}/working-hours`;
  const putHours = (who: Actor, staffId: string, body: Record<string, unknown>) => api.http.put(hoursUrl(staffId)).set(bearer(who)).send(body);
  const therapyType = (forClinic = clinicId, name = `Type ${Math.random().toString(36).slice(2, 8)}`) =>
    api.db.prisma.therapyType.create({ data: { clinicId: forClinic, name, defaultDurationMinutes: 60, defaultPrice: '50', currency: 'EUR' } });

  test('an admin sets working hours: the answer echoes them in the clinic zone, whole days of time off become instants; audited', async () => {
    const body = {
      weekly: weekdays('09:00', '17:00'),
      breaks: [{ weekday: 3, start: '12:30', end: '13:30' }],
      exceptions: [{ date: '2026-12-24', hours: [{ start: '09:00', end: '12:00' }] }, { date: '2026-12-31', hours: [] }],
      timeOff: [
        { from: '2026-08-03', to: '2026-08-07', reason: 'Summer holiday' },
        { from: '2026-09-01T14:00:00+01:00', to: '2026-09-01T16:00:00+01:00' },
      ],
    };
    const saved = (await putHours(admin, therapist.id, body).expect(200)).body as HoursBody;
    assert.equal(saved.practitionerId, therapist.id);
    assert.equal(saved.timezone, 'Europe/London');
    assert.equal(saved.followsClinicTimezone, true);
    assert.deepEqual([saved.weekly, saved.breaks, saved.exceptions], [body.weekly, body.breaks, body.exceptions]);
    assert.deepEqual(saved.timeOff, [
      { from: '2026-08-02T23:00:00.000Z', to: '2026-08-07T23:00:00.000Z', reason: 'Summer holiday' },
      { from: '2026-09-01T13:00:00.000Z', to: '2026-09-01T15:00:00.000Z' },
    ]);
    assert.deepEqual((await api.http.get(hoursUrl(therapist.id)).set(bearer(admin)).expect(200)).body, saved);

    const row = await api.db.prisma.practitionerSchedule.findFirstOrThrow({ where: { practitionerId: therapist.id } });
    assert.equal(row.clinicId, clinicId);
    assert.equal(row.timezone, null, 'follows the clinic zone until set');
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'practitioner.workingHours.set', entityId: row.id } });
    assert.equal(audit.actorId, admin.id);
    assert.equal(audit.clinicId, clinicId);

    // A second PUT replaces everything, here with the practitioner's own zone.
    const again = (await putHours(admin, therapist.id, { timezone: 'America/New_York', weekly: [{ weekday: 6, start: '10:00', end: '14:00' }] }).expect(200)).body as HoursBody;
    assert.deepEqual([again.timezone, again.followsClinicTimezone, again.breaks, again.exceptions, again.timeOff], ['America/New_York', false, [], [], []]);
    assert.equal(await api.db.prisma.practitionerSchedule.count({ where: { practitionerId: therapist.id } }), 1);
    const audits = await api.db.prisma.auditLog.findMany({ where: { action: 'practitioner.workingHours.set', entityId: row.id }, orderBy: { createdAt: 'asc' } });
    assert.equal(audits.length, 2);
    assert.deepEqual((audits[1]?.changes as Changes).after?.timezone, 'America/New_York');
  });

  test('bad hours are 400 with the field paths; nothing is saved', async () => {
    const nurse = await actor(api, 'NURSE', clinicId);
    const err = expectError(
      await putHours(admin, nurse.id, {
        timezone: 'Europe/Atlantis',
        weekly: [
          { weekday: 1, start: '09:00', end: '13:00' },
          { weekday: 1, start: '12:00', end: '17:00' },
          { weekday: 2, start: '17:00', end: '09:00' },
          { weekday: 8, start: '9', end: '10:00' },
        ],
        breaks: [{ weekday: 1, start: '25:00', end: '26:00' }],
        exceptions: [{ date: '2026-13-01', hours: [] }],
        timeOff: [{ from: 'next week', to: '2026-01-01' }],
      }),
      400,
      'VALIDATION_ERROR',
    );
    assert.deepEqual(detailPaths(err), [
      'body.breaks.0.end',
      'body.breaks.0.start',
      'body.exceptions.0.date',
      'body.timeOff.0.from',
      'body.timezone',
      'body.weekly.1',
      'body.weekly.2.end',
      'body.weekly.3.start',
      'body.weekly.3.weekday',
    ]);
    const overlap = (err.details as { path: string; message: string }[]).find((d) => d.path === 'body.weekly.1');
    assert.equal(overlap?.message, 'overlaps 09:00–13:00 on Monday');
    assert.deepEqual(detailPaths(expectError(await putHours(admin, nurse.id, {}), 400, 'VALIDATION_ERROR')), ['body.weekly']);
    // A whole day against an instant is compared in the zone: the 2nd of July began at 23:00Z on the 1st in London.
    const mixed = expectError(await putHours(admin, nurse.id, { weekly: [], timeOff: [{ from: '2026-07-02', to: '2026-07-01T22:30:00Z' }] }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(mixed), ['body.timeOff.0.to']);
    assert.equal(await api.db.prisma.practitionerSchedule.count({ where: { practitionerId: nurse.id } }), 0);
    expectError(await api.http.get(hoursUrl(nurse.id)).set(bearer(admin)), 404, 'NOT_FOUND');
  });

  test('only active practitioners of the caller’s clinic: 404 otherwise, 422 NOT_A_PRACTITIONER for other roles', async () => {
    const hours = { weekly: weekdays('09:00', '17:00') };
    expectError(await putHours(admin, receptionist.id, hours), 422, 'NOT_A_PRACTITIONER');
    expectError(await api.http.get(`${PRACTITIONERS}/${admin.id}/pricing`).set(bearer(admin)), 422, 'NOT_A_PRACTITIONER');

    const other = await createClinic(api, { tier: 'L' });
    const foreignDoctor = await actor(api, 'DOCTOR', other.id);
    expectError(await putHours(admin, foreignDoctor.id, hours), 404, 'NOT_FOUND');
    expectError(await api.http.get(hoursUrl(foreignDoctor.id)).set(bearer(admin)), 404, 'NOT_FOUND');
    assert.equal(await api.db.prisma.practitionerSchedule.count({ where: { practitionerId: foreignDoctor.id } }), 0);

    const leaver = await actor(api, 'DOCTOR', clinicId);
    await api.db.prisma.staffUser.update({ where: { id: leaver.id }, data: { active: false } });
    expectError(await putHours(admin, leaver.id, hours), 404, 'NOT_FOUND');
    expectError(await putHours(admin, '00000000-0000-7000-8000-000000000000', hours), 404, 'NOT_FOUND');
    expectError(await putHours(admin, 'me', hours), 400, 'VALIDATION_ERROR');
  });

  test('RBAC: a receptionist cannot set working hours or prices; a therapist and a receptionist can read them', async () => {
    const doctor = await actor(api, 'DOCTOR', clinicId);
    await putHours(admin, doctor.id, { weekly: weekdays('08:00', '16:00') }).expect(200);
    expectError(await putHours(receptionist, doctor.id, { weekly: [] }), 403, 'FORBIDDEN');
    expectError(await putHours(therapist, therapist.id, { weekly: [] }), 403, 'FORBIDDEN');
    const type = await therapyType();
    expectError(await api.http.put(`${PRACTITIONERS}/${doctor.id}/pricing/${type.id}`).set(bearer(receptionist)).send({ durationMinutes: 30, price: 10 }), 403, 'FORBIDDEN');
    const read = (await api.http.get(hoursUrl(doctor.id)).set(bearer(therapist)).expect(200)).body as HoursBody;
    assert.deepEqual(read.weekly, weekdays('08:00', '16:00'));
    await api.http.get(hoursUrl(doctor.id)).set(bearer(receptionist)).expect(200);
    await api.http.get(`${PRACTITIONERS}/${doctor.id}/pricing`).set(bearer(therapist)).expect(200);
    expectError(await api.http.get(hoursUrl(doctor.id)).set(bearer(await actor(api, 'ACCOUNTANT', clinicId))), 403, 'FORBIDDEN');
  });

  test('own terms per therapy type: set, changed, listed, audited; other clinics’ types are 404', async () => {
    const doctor = await actor(api, 'DOCTOR', clinicId);
    const physio = await therapyType(clinicId, 'Physio for pricing');
    const massage = await therapyType(clinicId, 'Aaa massage for pricing');
    const url = (typeId: string) => `${PRACTITIONERS}/${doctor.id}/pricing/${typeId}`;

    const set = (await api.http.put(url(physio.id)).set(bearer(admin)).send({ durationMinutes: 45, price: '72.5' }).expect(200)).body as PricingBody;
    assert.deepEqual({ ...set, updatedAt: undefined }, { practitionerId: doctor.id, therapyTypeId: physio.id, therapyTypeName: 'Physio for pricing', durationMinutes: 45, price: '72.50', currency: 'EUR', updatedAt: undefined });
    const changed = (await api.http.put(url(physio.id)).set(bearer(admin)).send({ durationMinutes: 50, price: 80 }).expect(200)).body as PricingBody;
    assert.deepEqual([changed.durationMinutes, changed.price], [50, '80.00']);
    await api.http.put(url(massage.id)).set(bearer(admin)).send({ durationMinutes: 30, price: 0 }).expect(200);
    assert.equal(await api.db.prisma.practitionerPricing.count({ where: { practitionerId: doctor.id } }), 2);

    const listed = (await api.http.get(`${PRACTITIONERS}/${doctor.id}/pricing`).set(bearer(receptionist)).expect(200)).body as PricingBody[];
    assert.deepEqual(listed.map((p) => [p.therapyTypeName, p.durationMinutes, p.price]), [['Aaa massage for pricing', 30, '0.00'], ['Physio for pricing', 50, '80.00']]);

    const row = await api.db.prisma.practitionerPricing.findFirstOrThrow({ where: { practitionerId: doctor.id, therapyTypeId: physio.id } });
    const audits = await api.db.prisma.auditLog.findMany({ where: { action: 'practitioner.pricing.set', entityId: row.id }, orderBy: { createdAt: 'asc' } });
    assert.deepEqual(audits[1]?.changes, { before: { durationMinutes: 45, price: '72.5' }, after: { durationMinutes: 50, price: '80' } });

    const bad = expectError(await api.http.put(url(physio.id)).set(bearer(admin)).send({ durationMinutes: 2, price: '-3' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(bad), ['body.durationMinutes', 'body.price']);

    const other = await createClinic(api, { tier: 'L' });
    const foreignType = await therapyType(other.id, 'Foreign');
    expectError(await api.http.put(url(foreignType.id)).set(bearer(admin)).send({ durationMinutes: 30, price: 10 }), 404, 'NOT_FOUND');
    expectError(await api.http.put(url('00000000-0000-7000-8000-000000000000')).set(bearer(admin)).send({ durationMinutes: 30, price: 10 }), 404, 'NOT_FOUND');
    const foreignDoctor = await actor(api, 'DOCTOR', other.id);
    expectError(await api.http.put(`${PRACTITIONERS}/${foreignDoctor.id}/pricing/${physio.id}`).set(bearer(admin)).send({ durationMinutes: 30, price: 10 }), 404, 'NOT_FOUND');
    expectError(await api.http.get(`${PRACTITIONERS}/${foreignDoctor.id}/pricing`).set(bearer(admin)), 404, 'NOT_FOUND');
    assert.equal(await api.db.prisma.practitionerPricing.count({ where: { therapyTypeId: foreignType.id } }), 0);
  });
});
