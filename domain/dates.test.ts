/** Wall-clock ⇄ instant conversions, especially across DST changes. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addDays, isIsoInstant, localDateTime, localTime, localWeekday, weekdayOfDate, zonedTimeToUtc } from './dates';

const utc = (date: string, time: string, tz: string) => zonedTimeToUtc(date, time, tz).toISOString();

describe('zonedTimeToUtc', () => {
  test('ordinary times use the offset in force that day', () => {
    assert.equal(utc('2026-10-24', '09:00', 'Europe/London'), '2026-10-24T08:00:00.000Z');
    assert.equal(utc('2026-10-26', '09:00', 'Europe/London'), '2026-10-26T09:00:00.000Z');
    assert.equal(utc('2026-01-01', '09:00', 'Asia/Kolkata'), '2026-01-01T03:30:00.000Z');
    assert.equal(utc('2026-07-01', '09:00', 'America/New_York'), '2026-07-01T13:00:00.000Z');
    assert.equal(utc('2026-07-01', '00:00', 'UTC'), '2026-07-01T00:00:00.000Z');
  });

  test('24:00 is the next midnight', () => {
    assert.equal(utc('2026-10-24', '24:00', 'Europe/London'), '2026-10-24T23:00:00.000Z');
    assert.equal(utc('2026-12-31', '24:00', 'UTC'), '2027-01-01T00:00:00.000Z');
  });

  test('a time in the spring-forward gap moves forward by the length of the gap', () => {
    // London: 01:00 GMT becomes 02:00 BST on 2026-03-29; 01:30 does not exist.
    assert.equal(utc('2026-03-29', '01:30', 'Europe/London'), '2026-03-29T01:30:00.000Z');
    assert.equal(localTime(zonedTimeToUtc('2026-03-29', '01:30', 'Europe/London'), 'Europe/London'), '02:30');
    assert.equal(utc('2026-03-29', '02:00', 'Europe/London'), '2026-03-29T01:00:00.000Z');
    // New York: 02:00 EST becomes 03:00 EDT on 2026-03-08.
    assert.equal(utc('2026-03-08', '02:30', 'America/New_York'), '2026-03-08T07:30:00.000Z');
    // Lord Howe Island moves by 30 minutes (02:00 → 02:30 on 2026-10-04).
    assert.equal(localTime(zonedTimeToUtc('2026-10-04', '02:15', 'Australia/Lord_Howe'), 'Australia/Lord_Howe'), '02:45');
  });

  test('a time that happens twice in the fall-back overlap is its first occurrence', () => {
    // London: 02:00 BST becomes 01:00 GMT on 2026-10-25; 01:30 happens at 00:30Z and 01:30Z.
    assert.equal(utc('2026-10-25', '01:30', 'Europe/London'), '2026-10-25T00:30:00.000Z');
    assert.equal(utc('2026-10-25', '01:00', 'Europe/London'), '2026-10-25T00:00:00.000Z');
    assert.equal(utc('2026-10-25', '02:00', 'Europe/London'), '2026-10-25T02:00:00.000Z');
    assert.equal(utc('2026-11-01', '01:30', 'America/New_York'), '2026-11-01T05:30:00.000Z');
  });

  test('a skipped calendar day (Samoa, 2011-12-30) moves to the next day', () => {
    const t = zonedTimeToUtc('2011-12-30', '10:00', 'Pacific/Apia');
    assert.equal(localDateTime(t, 'Pacific/Apia'), '2011-12-31T10:00');
  });

  test('round trips every quarter hour of a DST-change day', () => {
    for (const [tz, date] of [
      ['Europe/London', '2026-10-25'],
      ['America/New_York', '2026-11-01'],
      ['Australia/Sydney', '2026-04-05'],
    ] as const) {
      for (let m = 0; m < 24 * 60; m += 15) {
        const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
        assert.equal(localDateTime(zonedTimeToUtc(date, hhmm, tz), tz), `${date}T${hhmm}`, `${tz} ${hhmm}`);
      }
    }
  });
});

describe('local readings of an instant', () => {
  test('weekday, time and date-time follow the zone, not UTC', () => {
    const t = new Date('2026-10-24T23:30:00Z'); // Saturday in UTC, Sunday 00:30 in London (BST)
    assert.equal(localWeekday(t, 'UTC'), 6);
    assert.equal(localWeekday(t, 'Europe/London'), 0);
    assert.equal(localTime(t, 'Europe/London'), '00:30');
    assert.equal(localDateTime(t, 'Europe/London'), '2026-10-25T00:30');
    assert.equal(localDateTime(t, 'America/Los_Angeles'), '2026-10-24T16:30');
    assert.equal(localTime(new Date('2026-01-01T00:00:00Z'), 'UTC'), '00:00');
  });

  test('calendar arithmetic', () => {
    assert.equal(addDays('2026-02-28', 1), '2026-03-01');
    assert.equal(addDays('2026-01-01', -1), '2025-12-31');
    assert.equal(weekdayOfDate('2026-10-25'), 0);
    assert.equal(weekdayOfDate('2026-10-31'), 6);
  });

  test('isIsoInstant wants a date-time with its offset', () => {
    for (const ok of ['2026-10-22T09:00:00Z', '2026-10-22T09:00+01:00', '2026-10-22T09:00:00.123-05:30']) assert.ok(isIsoInstant(ok), ok);
    for (const bad of ['2026-10-22', '2026-10-22T09:00:00', '2026-02-30T09:00Z', '2026-10-22T24:00Z', 'yesterday']) assert.ok(!isIsoInstant(bad), bad);
  });
});
