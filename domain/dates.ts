/** Calendar helpers that work in the workflow sandbox (Intl only, no Node). */

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: string): boolean {
  if (!DATE_RE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Building a DateTimeFormat is far slower than using one; availability and booking ask thousands
// of times. Each format is named, with its locale and options, and built once per zone.
const FORMATS = {
  // en-CA formats dates as YYYY-MM-DD.
  date: ['en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' }],
  wallClock: ['en-US', { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }],
} as const satisfies Record<string, readonly [string, Intl.DateTimeFormatOptions]>;
const formats = new Map<string, Intl.DateTimeFormat>();
function cachedFormat(name: keyof typeof FORMATS, timeZone: string): Intl.DateTimeFormat {
  const key = `${name} ${timeZone}`;
  let f = formats.get(key);
  if (!f) {
    const [locale, options] = FORMATS[name];
    formats.set(key, (f = new Intl.DateTimeFormat(locale, { ...options, timeZone })));
  }
  return f;
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return cachedFormat('date', timeZone).format(instant);
}

const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** An ISO 8601 date-time that names its offset (Z or ±HH:MM), so it is one instant wherever it is read. */
export function isIsoInstant(value: string): boolean {
  const m = INSTANT_RE.exec(value);
  return !!m && isIsoDate(m[1] ?? '') && !Number.isNaN(Date.parse(value));
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The date `days` calendar days after (or before) a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The weekday of a calendar date: 0 = Sunday … 6 = Saturday. */
export function weekdayOfDate(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** The wall-clock reading of an instant in a zone, as if that reading were UTC (ms, whole seconds). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of cachedFormat('wallClock', timeZone).formatToParts(new Date(instantMs))) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  return Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
function offsetMs(instantMs: number, timeZone: string): number {
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return wallClockMs(wholeSeconds, timeZone) - wholeSeconds;
}

/**
 * Each reading costs up to four formatToParts calls, and a booking's working-hours check asks for
 * the same few dates and times dozens of times (each shift's start and end, a day either side):
 * the answers are kept (a pure function of its arguments, so also safe in the workflow sandbox).
 */
const zonedInstants = new Map<string, number>();
const ZONED_INSTANTS_MAX = 10_000;

/**
 * The instant at which clocks in a zone show this date and time ("HH:MM"; "24:00" is the next
 * day's midnight). Across a DST change: a time skipped by the spring-forward gap moves forward by
 * the gap's length (02:30 in a 02:00→03:00 gap is 03:30), like Temporal's "compatible"
 * disambiguation, so a stretch of wall time keeps its length; a time that happens twice in the
 * fall-back overlap is its first occurrence.
 */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const key = `${date}T${time} ${timeZone}`;
  let ms = zonedInstants.get(key);
  if (ms === undefined) {
    // Bounded: a long-running process reads many dates; a full cache starts again rather than grow.
    if (zonedInstants.size >= ZONED_INSTANTS_MAX) zonedInstants.clear();
    zonedInstants.set(key, (ms = zonedInstantMs(date, time, timeZone)));
  }
  return new Date(ms);
}

function zonedInstantMs(date: string, time: string, timeZone: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // The real instant is within a day of the wall reading; offsets a day either side bracket any change.
  const before = offsetMs(wall - DAY_MS, timeZone);
  const after = offsetMs(wall + DAY_MS, timeZone);
  const matches = [wall - before, wall - after].filter((t) => wallClockMs(t, timeZone) === wall);
  if (matches.length > 0) return Math.min(...matches);
  // In the gap: read with the offset in force before the change, the time lands after it.
  return wall - before;
}

/** The weekday (0 = Sunday) of an instant in a zone. */
export function localWeekday(instant: Date, timeZone: string): number {
  return new Date(wallClockMs(instant.getTime(), timeZone)).getUTCDay();
}

/** The wall-clock time ("HH:MM") of an instant in a zone. */
export function localTime(instant: Date, timeZone: string): string {
  return new Date(wallClockMs(instant.getTime(), timeZone)).toISOString().slice(11, 16);
}

/** "YYYY-MM-DDTHH:MM" as clocks in the zone show the instant. */
export function localDateTime(instant: Date, timeZone: string): string {
  return new Date(wallClockMs(instant.getTime(), timeZone)).toISOString().slice(0, 16);
}
