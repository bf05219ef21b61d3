/** Availability (free slots) and the calendar, through the real API over real PostgreSQL. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localDate } from '../../domain/dates';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';
import { apiAt, createPatient, insertAppointment } from '../../test/support/scheduling';

const AVAILABILITY = '/api/v1/appointments/availability';
const CALENDAR = '/api/v1/appointments/calendar';
/** Before every date these tests ask about, so no slot is "past". */
const EARLY = new Date('2026-10-01T00:00:00Z');

interface SlotBody {
  startsAt: string;
  endsAt: string;
  localStart: string;
  localEnd: string;
}
interface AvailabilityBody {
  practitionerId: string;
  timezone: string;
  durationMinutes: number;
  price: string | null;
  currency: string | null;
  slots: SlotBody[];
}
interface CalendarBody {
  from: string;
  to: string;
  timezone: string;
  appointments: Record<string, unknown>[];
}

const everyDay = (start: string, end: string) => [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start, end }));
/** Local start times grouped by local date. */
function byDay(slots: SlotBody[]): Record<string, string[]> {
  const days: Record<string, string[]> = {};
  for (const s of slots) (days[s.localStart.slice(0, 10)] ??= []).push(s.localStart.slice(11));
  return days;
}

describe('appointment calendar', () => {
  let api: TestApi;
  let early: TestApi['http'];
  let clinicId: string;
  let admin: Actor;
  let receptionist: Actor;

  before(async () => {
    api = await startTestApi();
    early = apiAt(api, EARLY);
    clinicId = (await createClinic(api, { tier: 'L', timezone: 'Europe/London' })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  });
  after(async () => {
    await api.close();
  });

  async function practitioner(hours: Record<string, unknown> | null, role: 'THERAPIST' | 'DOCTOR' | 'NURSE' = 'THERAPIST', forClinic = clinicId): Promise<Actor> {
    const p = await actor(api, role, forClinic);
    if (hours) {
      const manager = forClinic === clinicId ? admin : await actor(api, 'CLINIC_ADMIN', forClinic);
      await api.http.put(`/api/v1/practitioners/${p.id}/working-hours`).set(bearer(manager)).send(hours).expect(200);
    }
    return p;
  }
  const availability = async (http: TestApi['http'], who: Actor, query: Record<string, string | number>) =>
    (await http.get(AVAILABILITY).query(query).set(bearer(who)).expect(200)).body as AvailabilityBody;

  test('across the end of BST (Sunday 2026-10-25) slots stay at 09:00 local while UTC moves from 08:00 to 09:00', async () => {
    const p = await practitioner({ weekly: everyDay('09:00', '17:00') });
    const res = await availability(early, receptionist, { practitionerId: p.id, from: '2026-10-22', to: '2026-10-29' });
    assert.deepEqual([res.practitionerId, res.timezone, res.durationMinutes, res.price, res.currency], [p.id, 'Europe/London', 60, null, null]);
    const days = byDay(res.slots);
    assert.deepEqual(Object.keys(days), ['2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29']);
    for (const times of Object.values(days)) assert.deepEqual(times, ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    const firstOfDay = Object.keys(days).map((day) => res.slots.find((s) => s.localStart.startsWith(day)));
    assert.deepEqual(
      firstOfDay.map((s) => s?.startsAt),
      [
        '2026-10-22T08:00:00.000Z',
        '2026-10-23T08:00:00.000Z',
        '2026-10-24T08:00:00.000Z',
        '2026-10-25T09:00:00.000Z',
        '2026-10-26T09:00:00.000Z',
        '2026-10-27T09:00:00.000Z',
        '2026-10-28T09:00:00.000Z',
        '2026-10-29T09:00:00.000Z',
      ],
    );
    assert.deepEqual(res.slots[0], { startsAt: '2026-10-22T08:00:00.000Z', endsAt: '2026-10-22T09:00:00.000Z', localStart: '2026-10-22T09:00', localEnd: '2026-10-22T10:00' });
  });

  test("a practitioner's own price and duration for a therapy type change the slot length", async () => {
    const p = await practitioner({ weekly: everyDay('09:00', '17:00') });
    const colleague = await practitioner({ weekly: everyDay('09:00', '17:00') });
    const type = await api.db.prisma.therapyType.create({ data: { clinicId, name: 'Deep tissue', defaultDurationMinutes: 60, defaultPrice: '50', currency: 'GBP' } });
    const day = { from: '2026-11-02', to: '2026-11-02', therapyTypeId: type.id };

    const defaults = await availability(early, receptionist, { ...day, practitionerId: p.id });
    assert.deepEqual([defaults.durationMinutes, defaults.price, defaults.currency, defaults.slots.length], [60, '50.00', 'GBP', 8]);

    await api.http.put(`/api/v1/practitioners/${p.id}/pricing/${type.id}`).set(bearer(admin)).send({ durationMinutes: 90, price: 75 }).expect(200);
    const own = await availability(early, receptionist, { ...day, practitionerId: p.id });
    assert.deepEqual([own.durationMinutes, own.price, own.currency], [90, '75.00', 'GBP']);
    assert.deepEqual(byDay(own.slots)['2026-11-02'], ['09:00', '10:30', '12:00', '13:30', '15:00']);
    assert.equal(own.slots[0]?.localEnd, '2026-11-02T10:30');
    assert.equal((await availability(early, receptionist, { ...day, practitionerId: colleague.id })).durationMinutes, 60, 'colleagues keep the defaults');

    // Without a therapy type: the given duration, unpriced; a therapy type wins over a duration.
    const half = await availability(early, receptionist, { from: '2026-11-02', to: '2026-11-02', practitionerId: p.id, durationMinutes: 30 });
    assert.deepEqual([half.durationMinutes, half.price, half.slots.length], [30, null, 16]);
    assert.equal((await availability(early, receptionist, { ...day, practitionerId: p.id, durationMinutes: 30 })).durationMinutes, 90);

    await api.db.prisma.therapyType.update({ where: { id: type.id }, data: { active: false } });
    expectError(await early.get(AVAILABILITY).query({ ...day, practitionerId: p.id }).set(bearer(receptionist)), 404, 'NOT_FOUND');
    const foreign = await api.db.prisma.therapyType.create({ data: { clinicId: (await createClinic(api)).id, name: 'Elsewhere', defaultDurationMinutes: 20, defaultPrice: '5', currency: 'GBP' } });
    expectError(await early.get(AVAILABILITY).query({ ...day, therapyTypeId: foreign.id, practitionerId: p.id }).set(bearer(receptionist)), 404, 'NOT_FOUND');
  });

  test('breaks, exceptions, time off and booked sessions carve slots out; cancelled sessions and colleagues’ bookings do not', async () => {
    const p = await practitioner({
      weekly: everyDay('09:00', '17:00'),
      breaks: [{ weekday: 1, start: '12:00', end: '13:00' }],
      exceptions: [
        { date: '2026-11-03', hours: [{ start: '10:00', end: '12:00' }] },
        { date: '2026-11-04', hours: [] },
      ],
      timeOff: [
        { from: '2026-11-05', to: '2026-11-05', reason: 'training' },
        { from: '2026-11-06T14:00:00Z', to: '2026-11-06T15:30:00Z' },
      ],
    });
    const colleague = await practitioner({ weekly: everyDay('09:00', '17:00') });
    const patient = await createPatient(api, clinicId);
    const other = await createPatient(api, clinicId);
    await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: p.id, startsAt: '2026-11-02T10:15:00Z', endsAt: '2026-11-02T11:00:00Z' });
    await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: p.id, startsAt: '2026-11-02T14:00:00Z', endsAt: '2026-11-02T15:00:00Z', status: 'CANCELLED' });
    await insertAppointment(api, { clinicId, patientId: other.id, practitionerId: colleague.id, startsAt: '2026-11-02T09:00:00Z', endsAt: '2026-11-02T17:00:00Z' });

    const res = await availability(early, receptionist, { practitionerId: p.id, from: '2026-11-02', to: '2026-11-06' });
    assert.deepEqual(byDay(res.slots), {
      '2026-11-02': ['09:00', '11:00', '13:00', '14:00', '15:00', '16:00'],
      '2026-11-03': ['10:00', '11:00'],
      '2026-11-06': ['09:00', '10:00', '11:00', '12:00', '13:00', '15:30'],
    });
    assert.deepEqual(byDay((await availability(early, receptionist, { practitionerId: colleague.id, from: '2026-11-02', to: '2026-11-03' })).slots), {
      '2026-11-03': ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00'],
    });
  });

  test('past slots are not offered', async () => {
    const p = await practitioner({ weekly: everyDay('09:00', '17:00') });
    const midMorning = apiAt(api, new Date('2026-11-02T11:20:00Z'));
    const res = await availability(midMorning, receptionist, { practitionerId: p.id, from: '2026-11-01', to: '2026-11-03' });
    assert.deepEqual(byDay(res.slots), {
      '2026-11-02': ['12:00', '13:00', '14:00', '15:00', '16:00'],
      '2026-11-03': ['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00'],
    });

    // And with the real clock: someone working round the clock has slots from the next hour on, none before now.
    const always = await practitioner({ weekly: everyDay('00:00', '24:00') });
    const asked = Date.now();
    const today = localDate(new Date(asked), 'Europe/London');
    const live = await availability(api.http, receptionist, { practitionerId: always.id, from: today, to: today });
    assert.ok(live.slots.length > 0 || new Date(asked).getUTCHours() >= 22, 'slots later today');
    assert.ok(live.slots.every((s) => Date.parse(s.startsAt) >= asked - 1000));
    if (live.slots[0]) assert.ok(Date.parse(live.slots[0].startsAt) - asked <= 3_600_000, 'the next hour is offered');
  });

  test('ranges: at most 14 days (calendar days, across DST too); bad queries are 400, unknown practitioners 404', async () => {
    const p = await practitioner({ weekly: everyDay('09:00', '17:00') });
    const ask = (query: Record<string, string | number>) => early.get(AVAILABILITY).query({ practitionerId: p.id, ...query }).set(bearer(receptionist));
    await ask({ from: '2026-10-20', to: '2026-11-02' }).expect(200);
    await ask({ from: '2026-11-01T00:00:00Z', to: '2026-11-15T00:00:00Z' }).expect(200);
    await ask({ from: '2026-10-18T09:00:00+01:00', to: '2026-11-01T09:00:00Z' }).expect(200);
    assert.deepEqual(detailPaths(expectError(await ask({ from: '2026-10-20', to: '2026-11-03' }), 400, 'VALIDATION_ERROR')), ['query.to']);
    assert.deepEqual(detailPaths(expectError(await ask({ from: '2026-11-01T00:00:00Z', to: '2026-11-15T00:01:00Z' }), 400, 'VALIDATION_ERROR')), ['query.to']);
    assert.deepEqual(detailPaths(expectError(await ask({ from: '2026-11-03', to: '2026-11-02' }), 400, 'VALIDATION_ERROR')), ['query.to']);
    assert.deepEqual(detailPaths(expectError(await ask({ from: 'yesterday', to: '2026-11-02T10:00:00' }), 400, 'VALIDATION_ERROR')), ['query.from', 'query.to']);
    assert.deepEqual(detailPaths(expectError(await ask({ from: '2026-11-02', to: '2026-11-02', durationMinutes: 3 }), 400, 'VALIDATION_ERROR')), ['query.durationMinutes']);
    assert.deepEqual(detailPaths(expectError(await early.get(AVAILABILITY).query({ from: '2026-11-02', to: '2026-11-02' }).set(bearer(receptionist)), 400, 'VALIDATION_ERROR')), ['query.practitionerId']);

    const range = { from: '2026-11-02', to: '2026-11-02' };
    expectError(await ask({ ...range, practitionerId: receptionist.id }), 422, 'NOT_A_PRACTITIONER');
    expectError(await ask({ ...range, practitionerId: '00000000-0000-7000-8000-000000000000' }), 404, 'NOT_FOUND');
    const foreign = await practitioner({ weekly: everyDay('09:00', '17:00') }, 'DOCTOR', (await createClinic(api)).id);
    expectError(await ask({ ...range, practitionerId: foreign.id }), 404, 'NOT_FOUND');

    const unscheduled = await practitioner(null, 'NURSE');
    const none = await availability(early, receptionist, { ...range, practitionerId: unscheduled.id });
    assert.deepEqual([none.timezone, none.slots], ['Europe/London', []]);

    expectError(await ask(range).set(bearer(await actor(api, 'ACCOUNTANT', clinicId))), 403, 'FORBIDDEN');
    await ask(range).set(bearer(p)).expect(200);
  });

  test('the calendar lists sessions that are not cancelled, in each practitioner’s zone, without patient details', async () => {
    const clinic = await createClinic(api, { tier: 'L', timezone: 'Europe/London' });
    const cid = clinic.id;
    const desk = await actor(api, 'RECEPTIONIST', cid);
    const london = await practitioner({ weekly: everyDay('09:00', '17:00') }, 'THERAPIST', cid);
    const newYork = await practitioner({ timezone: 'America/New_York', weekly: everyDay('09:00', '17:00') }, 'DOCTOR', cid);
    const patient = await createPatient(api, cid);
    const second = await createPatient(api, cid);
    const straddling = await insertAppointment(api, { clinicId: cid, patientId: patient.id, practitionerId: london.id, startsAt: '2026-11-01T23:30:00Z', endsAt: '2026-11-02T00:30:00Z' });
    const first = await insertAppointment(api, { clinicId: cid, patientId: patient.id, practitionerId: london.id, startsAt: '2026-11-02T10:00:00Z', endsAt: '2026-11-02T11:00:00Z', reason: 'Very private reason' });
    await insertAppointment(api, { clinicId: cid, patientId: second.id, practitionerId: london.id, startsAt: '2026-11-02T12:00:00Z', endsAt: '2026-11-02T13:00:00Z', status: 'CANCELLED' });
    const ny = await insertAppointment(api, { clinicId: cid, patientId: second.id, practitionerId: newYork.id, startsAt: '2026-11-03T15:00:00Z', endsAt: '2026-11-03T16:00:00Z', status: 'NO_SHOW' });
    await insertAppointment(api, { clinicId: cid, patientId: second.id, practitionerId: newYork.id, startsAt: '2026-11-20T15:00:00Z', endsAt: '2026-11-20T16:00:00Z' });
    // Another clinic's session at the same time.
    const elsewhere = await practitioner(null, 'DOCTOR', clinicId);
    await insertAppointment(api, { clinicId, patientId: (await createPatient(api, clinicId)).id, practitionerId: elsewhere.id, startsAt: '2026-11-02T10:00:00Z', endsAt: '2026-11-02T11:00:00Z' });

    const res = (await api.http.get(CALENDAR).query({ from: '2026-11-02', to: '2026-11-08' }).set(bearer(desk)).expect(200)).body as CalendarBody;
    assert.deepEqual([res.from, res.to, res.timezone], ['2026-11-02T00:00:00.000Z', '2026-11-09T00:00:00.000Z', 'Europe/London']);
    assert.deepEqual(res.appointments.map((a) => a.id), [straddling.id, first.id, ny.id]);
    assert.deepEqual(res.appointments[1], {
      id: first.id,
      reservationId: first.reservationId,
      patientId: patient.id,
      practitionerId: london.id,
      therapyTypeId: null,
      type: 'TREATMENT',
      status: 'SCHEDULED',
      startsAt: '2026-11-02T10:00:00.000Z',
      endsAt: '2026-11-02T11:00:00.000Z',
      timezone: 'Europe/London',
      localStart: '2026-11-02T10:00',
      localEnd: '2026-11-02T11:00',
    });
    assert.deepEqual([res.appointments[2]?.localStart, res.appointments[2]?.timezone, res.appointments[2]?.status], ['2026-11-03T10:00', 'America/New_York', 'NO_SHOW']);
    const raw = JSON.stringify(res);
    for (const secret of ['Very private reason', patient.lastName, 'Pat']) assert.ok(!raw.includes(secret), secret);

    const mine = (await api.http.get(CALENDAR).query({ from: '2026-11-02', to: '2026-11-08', practitionerId: newYork.id }).set(bearer(newYork)).expect(200)).body as CalendarBody;
    assert.deepEqual([mine.timezone, mine.from, mine.appointments.map((a) => a.id)], ['America/New_York', '2026-11-02T05:00:00.000Z', [ny.id]]);
    const accountant = await actor(api, 'ACCOUNTANT', cid);
    await api.http.get(CALENDAR).query({ from: '2026-11-02T00:00:00Z', to: '2026-11-03T00:00:00Z' }).set(bearer(accountant)).expect(200);

    expectError(await api.http.get(CALENDAR).query({ from: '2026-11-02', to: '2026-11-08', practitionerId: elsewhere.id }).set(bearer(desk)), 404, 'NOT_FOUND');
    assert.deepEqual(detailPaths(expectError(await api.http.get(CALENDAR).query({ from: '2026-11-01', to: '2026-11-30' }).set(bearer(desk)), 400, 'VALIDATION_ERROR')), ['query.to']);
    expectError(await api.http.get(CALENDAR).query({ from: '2026-11-01', to: '2026-11-02' }), 401, 'UNAUTHORIZED');
  });
});
