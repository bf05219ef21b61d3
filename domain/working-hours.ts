/**
 * When a practitioner works: the PUT body (zod), the stored shape (the JSON columns of
 * PractitionerSchedule) and the conversion between them. Pure: runs in the workflow sandbox.
 */
import { z } from 'zod';
import { addDays, isIsoDate, isIsoInstant, isValidTimeZone, zonedTimeToUtc } from './dates';
import { text } from './text';

export interface WeeklyHours {
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
  start: string;
  end: string;
}
export interface DayHours {
  start: string;
  end: string;
}
/** Other hours on one date; `hours: []` = not working that day. They replace that day's weekly hours and breaks. */
export interface DateException {
  date: string;
  hours: DayHours[];
}
export interface TimeOff {
  /** ISO instants */
  from: string;
  to: string;
  reason?: string;
}
export interface PractitionerHours {
  /** The practitioner's zone, else the clinic's */
  timezone: string;
  weekly: WeeklyHours[];
  breaks: WeeklyHours[];
  exceptions: DateException[];
  timeOff: TimeOff[];
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const isEnd = (v: string) => HHMM.test(v) || v === '24:00';

const start = text().regex(HHMM, 'must be a time as HH:MM between 00:00 and 23:59');
// 24:00 lets a day's hours run to midnight.
const end = text().refine(isEnd, 'must be a time as HH:MM between 00:01 and 24:00');
// Refinements run even when a field failed its format; only compare well-formed times.
const ordered = (i: DayHours) => !(HHMM.test(i.start) && isEnd(i.end)) || i.start < i.end;
const afterStart = { message: 'must be after start', path: ['end'] };

const dayHours = z.object({ start, end }).refine(ordered, afterStart);
const weeklyHours = z.object({ weekday: z.number().int().min(0).max(6), start, end }).refine(ordered, afterStart);

/** Flags each interval that overlaps an earlier one of the same group (touching is fine: 09:00–12:00 then 12:00–17:00). */
function refuseOverlaps<T extends DayHours>(list: T[], ctx: z.RefinementCtx, groupOf: (i: T) => string, label: (i: T) => string): void {
  const seen = new Map<string, T[]>();
  list.forEach((item, index) => {
    if (!HHMM.test(item.start) || !isEnd(item.end) || item.start >= item.end) return;
    const group = seen.get(groupOf(item)) ?? [];
    const clash = group.find((o) => item.start < o.end && o.start < item.end);
    if (clash) ctx.addIssue({ code: 'custom', path: [index], message: `overlaps ${clash.start}–${clash.end}${label(clash)}` });
    seen.set(groupOf(item), [...group, item]);
  });
}

const weeklyList = (what: string) =>
  z
    .array(weeklyHours)
    .max(70, `at most 70 ${what}`)
    .superRefine((list, ctx) => refuseOverlaps(list, ctx, (i) => String(i.weekday), (i) => ` on ${WEEKDAYS[i.weekday] ?? 'that day'}`));

const exception = z.object({
  date: text().refine(isIsoDate, 'must be a date as YYYY-MM-DD'),
  hours: z
    .array(dayHours)
    .max(10)
    .superRefine((list, ctx) => refuseOverlaps(list, ctx, () => '', () => '')),
});

const dateOrInstant = z
  .string()
  .refine((v) => isIsoDate(v) || isIsoInstant(v), 'must be a date-time with its offset (2026-12-24T09:00:00+01:00) or a whole day (YYYY-MM-DD)');

const timeOffEntry = z
  .object({ from: dateOrInstant, to: dateOrInstant, reason: text().trim().min(1).max(200).optional() })
  // Mixed forms need the zone to compare; toStoredHours checks them.
  .refine((t) => !(isIsoDate(t.from) && isIsoDate(t.to)) || t.from <= t.to, { message: 'must not be before from', path: ['to'] })
  .refine((t) => !(isIsoInstant(t.from) && isIsoInstant(t.to)) || Date.parse(t.from) < Date.parse(t.to), { message: 'must be after from', path: ['to'] });

export const workingHoursSchema = z.object({
  timezone: text().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/London').optional(),
  weekly: weeklyList('weekly intervals'),
  breaks: weeklyList('breaks').default([]),
  exceptions: z
    .array(exception)
    .max(400)
    .default([])
    .superRefine((list, ctx) => {
      const dates = new Set<string>();
      list.forEach((e, index) => {
        if (dates.has(e.date)) ctx.addIssue({ code: 'custom', path: [index, 'date'], message: `${e.date} is listed twice` });
        dates.add(e.date);
      });
    }),
  timeOff: z.array(timeOffEntry).max(200).default([]),
});
export type WorkingHoursInput = z.output<typeof workingHoursSchema>;

export interface HoursIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The hours as stored: time off as instants, whole days (YYYY-MM-DD, `to` inclusive) read in the
 * effective zone. Fails with the issues a time-off entry has once both ends are instants.
 */
export function toStoredHours(input: WorkingHoursInput, clinicTimezone: string): { hours: PractitionerHours; issues: HoursIssue[] } {
  const timezone = input.timezone ?? clinicTimezone;
  const issues: HoursIssue[] = [];
  const timeOff = input.timeOff.map((t, index) => {
    const from = isIsoDate(t.from) ? zonedTimeToUtc(t.from, '00:00', timezone) : new Date(t.from);
    const to = isIsoDate(t.to) ? zonedTimeToUtc(addDays(t.to, 1), '00:00', timezone) : new Date(t.to);
    if (from >= to) issues.push({ path: ['timeOff', index, 'to'], message: 'must be after from' });
    return { from: from.toISOString(), to: to.toISOString(), ...(t.reason ? { reason: t.reason } : {}) };
  });
  return { hours: { timezone, weekly: input.weekly, breaks: input.breaks, exceptions: input.exceptions, timeOff }, issues };
}

const storedTimeOff = z.object({
  from: text().refine(isIsoInstant),
  to: text().refine(isIsoInstant),
  reason: text().optional(),
});
const storedColumns = z.object({
  weekly: workingHoursSchema.shape.weekly,
  breaks: workingHoursSchema.shape.breaks,
  exceptions: workingHoursSchema.shape.exceptions,
  timeOff: z.array(storedTimeOff).default([]),
});

/** The stored PractitionerSchedule columns as hours; null when the practitioner has none. */
export function hoursOf(
  row: { timezone: string | null; weekly: unknown; breaks: unknown; exceptions: unknown; timeOff: unknown } | null,
  clinicTimezone: string,
): PractitionerHours | null {
  if (!row) return null;
  // The columns were written through workingHoursSchema; a row that no longer parses is a bug to surface, not "no hours".
  const { weekly, breaks, exceptions, timeOff } = storedColumns.parse(row);
  return { timezone: row.timezone ?? clinicTimezone, weekly, breaks, exceptions, timeOff };
}
