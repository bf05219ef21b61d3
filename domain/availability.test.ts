/** Working hours → bookable slots, reasons a time is not bookable, and the working-hours schema. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { freeSlots, hoursOf, type PractitionerHours, toStoredHours, type WeeklyHours, whyNotBookable, workingHoursSchema } from './availability';
import { localDateTime, localTime } from './dates';

const LONDON = 'Europe/London';
const everyDay = (start: string, end: string): WeeklyHours[] => [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start, end }));
const hours = (over: Partial<PractitionerHours> = {}): PractitionerHours => ({ timezone: LONDON, weekly: everyDay('09:00', '17:00'), breaks: [], exceptions: [], timeOff: [], ...over });
const LONG_AGO = new Date('2000-01-01T00:00:00Z');

/** Slots as local "YYYY-MM-DDTHH:MM" starts in the hours' zone. */
function slots(h: PractitionerHours, from: string, to: string, opts: { duration?: number; booked?: [string, string][]; now?: string } = {}): string[] {
  return freeSlots(h, {
    from: new Date(from),
    to: new Date(to),
    durationMinutes: opts.duration ?? 60,
    booked: (opts.booked ?? []).map(([s, e]) => ({ startsAt: new Date(s), endsAt: new Date(e) })),
    now: opts.now ? new Date(opts.now) : LONG_AGO,
  }).map((s) => localDateTime(s.startsAt, h.timezone));
}
const times = (list: string[]) => list.map((s) => s.slice(11));

describe('freeSlots', () => {
  test('across the end of BST the slots stay at 09:00 local while UTC moves from 08:00 to 09:00', () => {
    const all = freeSlots(hours(), { from: new Date('2026-10-22T00:00:00+01:00'), to: new Date('2026-10-30T00:00:00Z'), durationMinutes: 60, booked: [], now: LONG_AGO });
    const firstOfDay = new Map<string, Date>();
    for (const s of all) {
      const day = localDateTime(s.startsAt, LONDON).slice(0, 10);
      if (!firstOfDay.has(day)) firstOfDay.set(day, s.startsAt);
    }
    assert.deepEqual([...firstOfDay.keys()], ['2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29']);
    for (const [day, start] of firstOfDay) {
      assert.equal(localTime(start, LONDON), '09:00', day);
      assert.equal(start.getUTCHours(), day < '2026-10-25' ? 8 : 9, day);
    }
    assert.equal(all.length, 8 * 8, 'eight one-hour slots a day, also on the 25-hour day');
    assert.ok(all.every((s) => s.endsAt.getTime() - s.startsAt.getTime() === 3_600_000));
  });

  test('slots are laid end to end from the start of the day; a duration that does not divide it leaves the rest', () => {
    const day = slots(hours(), '2026-11-02T00:00Z', '2026-11-03T00:00Z', { duration: 45 });
    assert.deepEqual(times(day), ['09:00', '09:45', '10:30', '11:15', '12:00', '12:45', '13:30', '14:15', '15:00', '15:45']);
  });

  test('a break carves its time out of its weekday only', () => {
    const h = hours({ breaks: [{ weekday: 1, start: '12:00', end: '13:00' }] }); // Mondays
    assert.deepEqual(times(slots(h, '2026-11-02T00:00Z', '2026-11-03T00:00Z')), ['09:00', '10:00', '11:00', '13:00', '14:00', '15:00', '16:00']);
    assert.equal(slots(h, '2026-11-03T00:00Z', '2026-11-04T00:00Z').length, 8, 'Tuesday has no break');
    const odd = hours({ breaks: [{ weekday: 1, start: '12:30', end: '13:15' }] });
    assert.deepEqual(times(slots(odd, '2026-11-02T00:00Z', '2026-11-03T00:00Z')), ['09:00', '10:00', '11:00', '13:15', '14:15', '15:15']);
  });

  test("an exception replaces the date's hours and breaks; [] means not working", () => {
    const h = hours({
      breaks: [{ weekday: 1, start: '12:00', end: '13:00' }],
      exceptions: [
        { date: '2026-11-02', hours: [{ start: '11:00', end: '14:00' }] },
        { date: '2026-11-03', hours: [] },
      ],
    });
    assert.deepEqual(slots(h, '2026-11-02T00:00Z', '2026-11-05T00:00Z').map((s) => s.slice(5)), [
      '11-02T11:00',
      '11-02T12:00',
      '11-02T13:00',
      ...['09', '10', '11', '12', '13', '14', '15', '16'].map((hh) => `11-04T${hh}:00`),
    ]);
  });

  test('time off and booked appointments carve their time out; slots restart where they end', () => {
    const h = hours({ timeOff: [{ from: '2026-11-02T14:00:00Z', to: '2026-11-02T15:30:00Z' }, { from: '2026-11-03T00:00:00Z', to: '2026-11-04T00:00:00Z', reason: 'leave' }] });
    const booked: [string, string][] = [['2026-11-02T10:15:00Z', '2026-11-02T11:00:00Z']];
    assert.deepEqual(times(slots(h, '2026-11-02T00:00Z', '2026-11-04T00:00Z', { booked })), ['09:00', '11:00', '12:00', '13:00', '15:30']);
  });

  test('only slots inside [from, to) that start at or after now', () => {
    const day = (opts: { from?: string; to?: string; now?: string }) =>
      times(slots(hours(), opts.from ?? '2026-11-02T00:00Z', opts.to ?? '2026-11-03T00:00Z', { now: opts.now }));
    assert.deepEqual(day({ from: '2026-11-02T10:30Z', to: '2026-11-02T15:00Z' }), ['11:00', '12:00', '13:00', '14:00']);
    assert.deepEqual(day({ now: '2026-11-02T11:20Z' }), ['12:00', '13:00', '14:00', '15:00', '16:00']);
    assert.deepEqual(day({ now: '2026-11-02T12:00Z' }), ['12:00', '13:00', '14:00', '15:00', '16:00'], 'a slot starting now is offered');
    assert.deepEqual(day({ now: '2026-11-03T00:00Z' }), []);
  });

  test("the practitioner's own zone, and a shift across midnight is one stretch", () => {
    const ny = hours({ timezone: 'America/New_York', weekly: [{ weekday: 6, start: '20:00', end: '24:00' }, { weekday: 0, start: '00:00', end: '02:00' }] });
    const s = freeSlots(ny, { from: new Date('2026-11-07T00:00Z'), to: new Date('2026-11-10T00:00Z'), durationMinutes: 90, booked: [], now: LONG_AGO });
    assert.deepEqual(
      s.map((x) => localDateTime(x.startsAt, 'America/New_York')),
      ['2026-11-07T20:00', '2026-11-07T21:30', '2026-11-07T23:00', '2026-11-08T00:30'],
    );
    assert.equal(s[0]?.startsAt.toISOString(), '2026-11-08T01:00:00.000Z');
  });

  test('a night through the spring-forward gap has one hour less', () => {
    const ny = hours({ timezone: 'America/New_York', weekly: [{ weekday: 0, start: '00:00', end: '06:00' }] });
    const local = slots(ny, '2026-03-08T00:00-05:00', '2026-03-09T00:00-04:00');
    assert.deepEqual(times(local), ['00:00', '01:00', '03:00', '04:00', '05:00']);
  });

  test('a duration that is not a positive whole number of minutes is refused', () => {
    assert.throws(() => freeSlots(hours(), { from: LONG_AGO, to: new Date(), durationMinutes: 0, booked: [], now: LONG_AGO }), RangeError);
  });
});

describe('whyNotBookable', () => {
  const h = hours({
    breaks: [{ weekday: 1, start: '12:00', end: '13:00' }],
    exceptions: [{ date: '2026-11-03', hours: [{ start: '09:00', end: '12:00' }, { start: '12:00', end: '13:00' }] }],
    timeOff: [{ from: '2026-11-04T15:00:00Z', to: '2026-11-04T16:00:00Z' }],
  });
  const why = (hh: PractitionerHours | null, start: string, end: string) => whyNotBookable(hh, { startsAt: new Date(start), endsAt: new Date(end) });

  test('inside working hours: null (bookings are the database’s concern)', () => {
    assert.equal(why(h, '2026-11-02T09:00Z', '2026-11-02T10:00Z'), null);
    assert.equal(why(h, '2026-11-02T16:00Z', '2026-11-02T17:00Z'), null, 'ends exactly at the end of the day');
    assert.equal(why(h, '2026-11-03T11:30Z', '2026-11-03T12:30Z'), null, 'touching exception intervals are one stretch');
  });

  test('the reasons', () => {
    assert.equal(why(null, '2026-11-02T09:00Z', '2026-11-02T10:00Z'), 'NO_WORKING_HOURS');
    assert.equal(why(h, '2026-11-02T08:30Z', '2026-11-02T09:30Z'), 'OUTSIDE_WORKING_HOURS');
    assert.equal(why(h, '2026-11-02T16:30Z', '2026-11-02T17:30Z'), 'OUTSIDE_WORKING_HOURS');
    assert.equal(why(h, '2026-11-03T13:00Z', '2026-11-03T14:00Z'), 'OUTSIDE_WORKING_HOURS', 'the exception replaced the day');
    assert.equal(why(h, '2026-11-02T11:30Z', '2026-11-02T12:30Z'), 'ON_BREAK');
    assert.equal(why(h, '2026-11-04T14:30Z', '2026-11-04T15:30Z'), 'TIME_OFF');
  });

  test('in summer the same wall times are an hour earlier in UTC', () => {
    assert.equal(why(hours(), '2026-07-01T08:00Z', '2026-07-01T09:00Z'), null);
    assert.equal(why(hours(), '2026-07-01T16:00Z', '2026-07-01T17:00Z'), 'OUTSIDE_WORKING_HOURS');
  });
});

describe('workingHoursSchema', () => {
  const issues = (body: unknown) => {
    const r = workingHoursSchema.safeParse(body);
    assert.ok(!r.success, 'expected the body to be refused');
    return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort();
  };

  test('a full body parses, with defaults for what is left out', () => {
    const parsed = workingHoursSchema.parse({ weekly: [{ weekday: 1, start: '09:00', end: '12:00' }, { weekday: 1, start: '12:00', end: '24:00' }] });
    assert.deepEqual(parsed, { weekly: [{ weekday: 1, start: '09:00', end: '12:00' }, { weekday: 1, start: '12:00', end: '24:00' }], breaks: [], exceptions: [], timeOff: [] });
    workingHoursSchema.parse({
      timezone: 'Asia/Kolkata',
      weekly: everyDay('09:00', '17:00'),
      breaks: [{ weekday: 1, start: '13:00', end: '14:00' }],
      exceptions: [{ date: '2026-12-24', hours: [] }],
      timeOff: [{ from: '2026-12-28', to: '2026-12-31', reason: 'holiday' }, { from: '2027-01-05T14:00:00+05:30', to: '2027-01-05T16:00:00+05:30' }],
    });
  });

  test('bad times, order and overlaps name the field', () => {
    assert.deepEqual(
      issues({
        weekly: [
          { weekday: 1, start: '9:00', end: '17:00' },
          { weekday: 2, start: '17:00', end: '09:00' },
          { weekday: 3, start: '09:00', end: '13:00' },
          { weekday: 3, start: '12:00', end: '18:00' },
          { weekday: 7, start: '09:00', end: '10:00' },
          { weekday: 4, start: '24:00', end: '24:00' },
        ],
      }),
      [
        'weekly.0.start: must be a time as HH:MM between 00:00 and 23:59',
        'weekly.1.end: must be after start',
        'weekly.3: overlaps 09:00–13:00 on Wednesday',
        'weekly.4.weekday: Too big: expected number to be <=6',
        'weekly.5.start: must be a time as HH:MM between 00:00 and 23:59',
      ],
    );
    assert.deepEqual(issues({ weekly: [], breaks: [{ weekday: 5, start: '12:00', end: '13:00' }, { weekday: 5, start: '12:30', end: '12:45' }] }), ['breaks.1: overlaps 12:00–13:00 on Friday']);
    assert.deepEqual(issues({}), ['weekly: Invalid input: expected array, received undefined']);
  });

  test('exceptions, time off and the zone', () => {
    assert.deepEqual(
      issues({
        timezone: 'Mars/Olympus',
        weekly: [],
        exceptions: [
          { date: '2026-02-30', hours: [] },
          { date: '2026-12-24', hours: [{ start: '10:00', end: '12:00' }, { start: '11:00', end: '13:00' }] },
          { date: '2026-12-24', hours: [] },
        ],
        timeOff: [
          { from: '2026-12-31', to: '2026-12-30' },
          { from: '2026-12-30T10:00:00Z', to: '2026-12-30T10:00:00Z' },
          { from: '2026-12-30T10:00:00', to: 'tomorrow' },
        ],
      }),
      [
        'exceptions.0.date: must be a date as YYYY-MM-DD',
        'exceptions.1.hours.1: overlaps 10:00–12:00',
        'exceptions.2.date: 2026-12-24 is listed twice',
        'timeOff.0.to: must not be before from',
        'timeOff.1.to: must be after from',
        'timeOff.2.from: must be a date-time with its offset (2026-12-24T09:00:00+01:00) or a whole day (YYYY-MM-DD)',
        'timeOff.2.to: must be a date-time with its offset (2026-12-24T09:00:00+01:00) or a whole day (YYYY-MM-DD)',
        'timezone: must be an IANA time zone such as Europe/London',
      ],
    );
  });
});

describe('stored hours', () => {
  test('whole days of time off are local days, the last one included', () => {
    const input = workingHoursSchema.parse({ weekly: [], timeOff: [{ from: '2026-12-24', to: '2026-12-26', reason: 'Christmas' }, { from: '2026-07-01', to: '2026-07-01' }] });
    const { hours: stored, issues } = toStoredHours(input, LONDON);
    assert.deepEqual(issues, []);
    assert.equal(stored.timezone, LONDON);
    assert.deepEqual(stored.timeOff, [
      { from: '2026-12-24T00:00:00.000Z', to: '2026-12-27T00:00:00.000Z', reason: 'Christmas' },
      { from: '2026-06-30T23:00:00.000Z', to: '2026-07-01T23:00:00.000Z' },
    ]);
    const own = toStoredHours(workingHoursSchema.parse({ timezone: 'Asia/Kolkata', weekly: [], timeOff: [{ from: '2026-12-24', to: '2026-12-24' }] }), LONDON);
    assert.deepEqual(own.hours.timeOff, [{ from: '2026-12-23T18:30:00.000Z', to: '2026-12-24T18:30:00.000Z' }]);
  });

  test('a day and an instant are compared once the zone is known', () => {
    const input = workingHoursSchema.parse({ weekly: [], timeOff: [{ from: '2026-12-24', to: '2026-12-23T23:30:00Z' }] });
    assert.deepEqual(toStoredHours(input, LONDON).issues, [{ path: ['timeOff', 0, 'to'], message: 'must be after from' }]);
    assert.deepEqual(toStoredHours(input, 'Asia/Kolkata').issues, [], 'in Kolkata the 24th began at 18:30Z on the 23rd');
  });

  test('hoursOf reads the stored columns and falls back to the clinic zone', () => {
    assert.equal(hoursOf(null, LONDON), null);
    const row = { timezone: null, weekly: [{ weekday: 1, start: '09:00', end: '17:00' }], breaks: [], exceptions: [], timeOff: [{ from: '2026-12-24T00:00:00.000Z', to: '2026-12-25T00:00:00.000Z' }] };
    assert.deepEqual(hoursOf(row, 'Asia/Kolkata'), { ...row, timezone: 'Asia/Kolkata' });
    assert.equal(hoursOf({ ...row, timezone: 'America/New_York' }, LONDON)?.timezone, 'America/New_York');
    assert.throws(() => hoursOf({ ...row, weekly: 'nonsense' }, LONDON));
  });
});
