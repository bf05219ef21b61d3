/**
 * When a practitioner can be booked: working hours (weekly, or a date's exception) minus breaks,
 * time off and booked appointments, turned into slots. Pure and Intl-only: the booking workflow
 * runs it in Temporal's sandbox as well as the API.
 */
import { addDays, localDate, weekdayOfDate, zonedTimeToUtc } from './dates';
import { type DayHours, type PractitionerHours } from './working-hours';

export { hoursOf, toStoredHours, workingHoursSchema } from './working-hours';
export type { DateException, DayHours, HoursIssue, PractitionerHours, TimeOff, WeeklyHours, WorkingHoursInput } from './working-hours';

export interface Slot {
  startsAt: Date;
  endsAt: Date;
}
export type NotBookableReason = 'NO_WORKING_HOURS' | 'OUTSIDE_WORKING_HOURS' | 'ON_BREAK' | 'TIME_OFF';

/** Half-open [start, end) in epoch ms. */
interface Span {
  start: number;
  end: number;
}

function merge(spans: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    // Touching spans join: 09–12 and 12–17, or a shift to 24:00 and the next day's from 00:00, are one stretch.
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else if (s.end > s.start) out.push({ ...s });
  }
  return out;
}

function subtract(spans: Span[], cuts: Span[]): Span[] {
  let out = spans;
  for (const cut of cuts) {
    out = out.flatMap((s) => {
      if (cut.end <= s.start || cut.start >= s.end) return [s];
      return [
        { start: s.start, end: cut.start },
        { start: cut.end, end: s.end },
      ].filter((p) => p.end > p.start);
    });
  }
  return out;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;
const contains = (outer: Span, inner: Span) => outer.start <= inner.start && inner.end <= outer.end;

function spanOn(date: string, hours: DayHours, timeZone: string): Span {
  return { start: zonedTimeToUtc(date, hours.start, timeZone).getTime(), end: zonedTimeToUtc(date, hours.end, timeZone).getTime() };
}

/**
 * Working time touching [from, to) as merged instants. A date's exception replaces its weekly hours
 * and breaks (its hours list already says where the day's gaps are). Local days one either side
 * are included: a local day reaches up to ~14 h beyond its UTC date.
 */
function workingSpans(hours: PractitionerHours, from: number, to: number, withBreaks: boolean): Span[] {
  const tz = hours.timezone;
  const last = addDays(localDate(new Date(to), tz), 1);
  const spans: Span[] = [];
  for (let date = addDays(localDate(new Date(from), tz), -1); date <= last; date = addDays(date, 1)) {
    const exception = hours.exceptions.find((e) => e.date === date);
    if (exception) {
      spans.push(...exception.hours.map((h) => spanOn(date, h, tz)));
      continue;
    }
    const weekday = weekdayOfDate(date);
    const work = hours.weekly.filter((w) => w.weekday === weekday).map((h) => spanOn(date, h, tz));
    const breaks = withBreaks ? hours.breaks.filter((b) => b.weekday === weekday).map((h) => spanOn(date, h, tz)) : [];
    spans.push(...subtract(work, breaks));
  }
  return merge(spans);
}

const timeOffSpans = (hours: PractitionerHours): Span[] => hours.timeOff.map((t) => ({ start: Date.parse(t.from), end: Date.parse(t.to) }));

/**
 * Bookable slots of `durationMinutes`, laid end to end from the start of each free stretch (so
 * they follow the working day's grid and the ends of booked sessions), kept when they start no
 * earlier than `now` and lie inside [from, to).
 */
export function freeSlots(
  hours: PractitionerHours,
  opts: { from: Date; to: Date; durationMinutes: number; booked: Array<{ startsAt: Date; endsAt: Date }>; now: Date },
): Slot[] {
  if (!Number.isInteger(opts.durationMinutes) || opts.durationMinutes <= 0) throw new RangeError('durationMinutes must be a positive whole number');
  const from = opts.from.getTime();
  const to = opts.to.getTime();
  if (to <= from) return [];
  const length = opts.durationMinutes * 60_000;
  const earliest = Math.max(from, opts.now.getTime());
  const booked = opts.booked.map((b) => ({ start: b.startsAt.getTime(), end: b.endsAt.getTime() }));
  const free = subtract(subtract(workingSpans(hours, from, to, true), timeOffSpans(hours)), booked);
  const slots: Slot[] = [];
  for (const stretch of free) {
    for (let start = stretch.start; start + length <= Math.min(stretch.end, to); start += length) {
      if (start >= earliest) slots.push({ startsAt: new Date(start), endsAt: new Date(start + length) });
    }
  }
  return slots;
}

/**
 * Why a slot cannot be booked by the practitioner's hours, or null when it lies inside working
 * hours. Other appointments are not considered: the database refuses overlapping bookings.
 */
export function whyNotBookable(hours: PractitionerHours | null, slot: Slot): NotBookableReason | null {
  if (!hours) return 'NO_WORKING_HOURS';
  const s = { start: slot.startsAt.getTime(), end: slot.endsAt.getTime() };
  if (!workingSpans(hours, s.start, s.end, false).some((w) => contains(w, s))) return 'OUTSIDE_WORKING_HOURS';
  if (!workingSpans(hours, s.start, s.end, true).some((w) => contains(w, s))) return 'ON_BREAK';
  if (timeOffSpans(hours).some((t) => overlaps(t, s))) return 'TIME_OFF';
  return null;
}
