/**
 * The owner's reports, computed in PostgreSQL: aggregates and GROUP BY over one clinic's rows, with
 * calendar days, weeks and months taken in the clinic's time zone (AT TIME ZONE). JavaScript only
 * shapes the rows. Money is numeric in SQL and a two-decimal string here, never a float.
 *
 * Revenue is what the Payment rows say: payments (> 0) and refunds (< 0) when they were recorded,
 * whatever the method (a CREDIT payment is prepaid credit being used; top-ups are not revenue
 * until used). Outstanding dues are those of prisma/patient-accounts.ts.
 */
import { Prisma } from '../../prisma/generated/client';
import { type RawQuerier } from '../../prisma/appointment-usage';
import { BILLED_SESSION_COST, billedSessions } from '../../prisma/patient-accounts';

const { sql } = Prisma;

export interface ReportContext {
  db: RawQuerier;
  clinicId: string;
  timezone: string;
  currency: string;
  now: Date;
}

/** Inclusive calendar dates (YYYY-MM-DD) in the clinic's zone. */
export interface Period {
  from: string;
  to: string;
}

/** A table of a report: what CSV and PDF print. The first column names the row. */
export interface ReportTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

export interface Report<T> {
  name: string;
  title: string;
  period?: Period;
  data: T;
  tables: ReportTable[];
}

/** The period's first instant and the instant after its last day, in the clinic's zone. */
const bounds = (tz: string, p: Period) => ({
  start: sql`((${p.from}::date)::timestamp AT TIME ZONE ${tz})`,
  end: sql`(((${p.to}::date) + 1)::timestamp AT TIME ZONE ${tz})`,
});

const name = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(' ') || null;

/**
 * Prepaid packages and subscriptions sold in the period: the payments that pay a package charge
 * (purchases and renewals). The financial report counts them here and not in
 * its revenue by session, so no payment is counted twice.
 */
export async function packageSalesInPeriod(ctx: ReportContext, period: Period): Promise<{ count: number; amount: string }> {
  const { start, end } = bounds(ctx.timezone, period);
  const [row] = await ctx.db.$queryRaw<Array<{ count: number; amount: string }>>`
    SELECT (count(*) FILTER (WHERE amount > 0))::int AS count, COALESCE(sum(amount), 0)::numeric(14, 2)::text AS amount
      FROM "Payment"
     WHERE "clinicId" = ${ctx.clinicId}::uuid AND "packageChargeId" IS NOT NULL AND "createdAt" >= ${start} AND "createdAt" < ${end}`;
  return { count: row?.count ?? 0, amount: row?.amount ?? '0.00' };
}

// ---------------------------------------------------------------------------------------------
// Building blocks, each one SQL statement.

export interface Utilisation {
  practitionerId: string;
  name: string | null;
  bookedMinutes: number;
  workingMinutes: number;
  /** booked / working, four decimals; null without working hours. */
  utilisation: string | null;
}

/**
 * Booked minutes (sessions not cancelled, no-shows included: the slot was held) over working
 * minutes from each practitioner's weekly hours less breaks, or a date's exception hours instead.
 * Time off is not subtracted.
 */
export async function utilisation(ctx: ReportContext, p: Period): Promise<Utilisation[]> {
  const { start, end } = bounds(ctx.timezone, p);
  const minutes = (h: Prisma.Sql) => sql`extract(epoch FROM ((${h}->>'end')::time - (${h}->>'start')::time)) / 60`;
  const rows = await ctx.db.$queryRaw<Array<{ id: string; firstName: string | null; lastName: string | null; booked: number; working: number; ratio: string | null }>>`
    WITH days AS (SELECT d::date AS day FROM generate_series(${p.from}::date, ${p.to}::date, interval '1 day') d),
    working AS (
      SELECT ps."practitionerId" AS id, sum(
        CASE WHEN ex.hours IS NOT NULL THEN (SELECT COALESCE(sum(${minutes(sql`h`)}), 0) FROM jsonb_array_elements(ex.hours) h)
        ELSE (SELECT COALESCE(sum(${minutes(sql`w`)}), 0) FROM jsonb_array_elements(ps.weekly) w WHERE (w->>'weekday')::int = extract(dow FROM d.day))
           - (SELECT COALESCE(sum(${minutes(sql`b`)}), 0) FROM jsonb_array_elements(ps.breaks) b WHERE (b->>'weekday')::int = extract(dow FROM d.day))
        END) AS minutes
        FROM "PractitionerSchedule" ps CROSS JOIN days d
        LEFT JOIN LATERAL (SELECT e->'hours' AS hours FROM jsonb_array_elements(ps.exceptions) e WHERE e->>'date' = to_char(d.day, 'YYYY-MM-DD') LIMIT 1) ex ON true
       WHERE ps."clinicId" = ${ctx.clinicId}::uuid
       GROUP BY ps."practitionerId"),
    booked AS (
      SELECT "practitionerId" AS id, sum(extract(epoch FROM "endsAt" - "startsAt") / 60) AS minutes
        FROM "Appointment"
       WHERE "clinicId" = ${ctx.clinicId}::uuid AND status <> 'CANCELLED' AND "startsAt" >= ${start} AND "startsAt" < ${end}
       GROUP BY "practitionerId")
    SELECT s.id::text, s."firstName", s."lastName",
           COALESCE(b.minutes, 0)::int AS booked, COALESCE(w.minutes, 0)::int AS working,
           CASE WHEN COALESCE(w.minutes, 0) > 0 THEN round((COALESCE(b.minutes, 0) / w.minutes)::numeric, 4)::text END AS ratio
      FROM working w FULL JOIN booked b USING (id) JOIN "StaffUser" s ON s.id = COALESCE(w.id, b.id) AND s."clinicId" = ${ctx.clinicId}::uuid
     ORDER BY s."lastName", s."firstName", s.id`;
  return rows.map((r) => ({ practitionerId: r.id, name: name(r.firstName, r.lastName), bookedMinutes: r.booked, workingMinutes: r.working, utilisation: r.ratio }));
}

const utilisationTable = (rows: Utilisation[]): ReportTable => ({
  title: 'Utilisation per practitioner',
  columns: ['Practitioner', 'Booked minutes', 'Working minutes', 'Utilisation'],
  rows: rows.map((u) => [u.name ?? u.practitionerId, u.bookedMinutes, u.workingMinutes, u.utilisation]),
});

async function countsByStatus(ctx: ReportContext, start: Prisma.Sql, end: Prisma.Sql): Promise<Record<string, number>> {
  const rows = await ctx.db.$queryRaw<Array<{ status: string; count: number }>>`
    SELECT status::text, count(*)::int AS count FROM "Appointment"
     WHERE "clinicId" = ${ctx.clinicId}::uuid AND "startsAt" >= ${start} AND "startsAt" < ${end}
     GROUP BY status ORDER BY status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}

interface DuesTotal {
  total: string;
  patients: number;
}

/** Every patient's balance (completed priced sessions less what was paid), summed over those who owe. */
async function outstandingDuesTotal(ctx: ReportContext): Promise<DuesTotal> {
  const [row] = await ctx.db.$queryRaw<Array<{ total: string; patients: number }>>`
    WITH billed AS MATERIALIZED (${billedSessions(ctx.clinicId)}),
    cost AS (
      SELECT a."patientId", sum(${BILLED_SESSION_COST}) AS cost FROM "Appointment" a LEFT JOIN billed ON billed."appointmentId" = a.id
       WHERE a."clinicId" = ${ctx.clinicId}::uuid AND a.status = 'COMPLETED' AND a.price IS NOT NULL GROUP BY a."patientId"),
    paid AS (
      SELECT p."patientId", sum(p.amount) AS paid FROM "Payment" p LEFT JOIN "Appointment" a ON a.id = p."appointmentId"
       WHERE p."clinicId" = ${ctx.clinicId}::uuid AND p."packageChargeId" IS NULL AND (p."appointmentId" IS NULL OR (a.status = 'COMPLETED' AND a.price IS NOT NULL))
       GROUP BY p."patientId"),
    balance AS (SELECT cost.cost - COALESCE(paid.paid, 0) AS owed FROM cost LEFT JOIN paid USING ("patientId"))
    SELECT COALESCE(sum(owed) FILTER (WHERE owed > 0), 0)::numeric(14, 2)::text AS total, count(*) FILTER (WHERE owed > 0)::int AS patients FROM balance`;
  return { total: row?.total ?? '0.00', patients: row?.patients ?? 0 };
}

// ---------------------------------------------------------------------------------------------
// The reports.

export interface Dashboard {
  today: string;
  currency: string;
  todaySessionsByStatus: Record<string, number>;
  revenue: { thisWeek: string; thisMonth: string };
  outstandingDues: DuesTotal;
  last30Days: { sessions: number; noShows: number; cancellations: number; noShowRate: string | null; cancellationRate: string | null };
  /** This week (Monday to Sunday, clinic time). */
  utilisation: Utilisation[];
  week: Period;
}

export async function dashboardReport(ctx: ReportContext): Promise<Report<Dashboard>> {
  const tz = ctx.timezone;
  const now = sql`${ctx.now.toISOString()}::timestamptz`;
  const [cal] = await ctx.db.$queryRaw<Array<{ today: string; weekStart: string; weekEnd: string }>>`
    SELECT to_char((${now} AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS today,
           to_char(date_trunc('week', ${now} AT TIME ZONE ${tz}), 'YYYY-MM-DD') AS "weekStart",
           to_char(date_trunc('week', ${now} AT TIME ZONE ${tz}) + interval '6 days', 'YYYY-MM-DD') AS "weekEnd"`;
  const today = { from: cal!.today, to: cal!.today };
  const week = { from: cal!.weekStart, to: cal!.weekEnd };
  const todayBounds = bounds(tz, today);
  const [byStatus, [revenue], dues, [rates], util] = await Promise.all([
    countsByStatus(ctx, todayBounds.start, todayBounds.end),
    ctx.db.$queryRaw<Array<{ week: string; month: string }>>`
      WITH b AS (SELECT date_trunc('week', ${now} AT TIME ZONE ${tz}) AT TIME ZONE ${tz} AS week,
                        date_trunc('month', ${now} AT TIME ZONE ${tz}) AT TIME ZONE ${tz} AS month)
      SELECT COALESCE(sum(p.amount) FILTER (WHERE p."createdAt" >= b.week), 0)::numeric(14, 2)::text AS week,
             COALESCE(sum(p.amount) FILTER (WHERE p."createdAt" >= b.month), 0)::numeric(14, 2)::text AS month
        FROM b LEFT JOIN "Payment" p ON p."clinicId" = ${ctx.clinicId}::uuid AND p."createdAt" >= LEAST(b.week, b.month) AND p."createdAt" <= ${now}`,
    outstandingDuesTotal(ctx),
    ctx.db.$queryRaw<Array<{ total: number; noShows: number; cancellations: number; noShowRate: string | null; cancellationRate: string | null }>>`
      SELECT count(*)::int AS total, count(*) FILTER (WHERE status = 'NO_SHOW')::int AS "noShows", count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancellations,
             CASE WHEN count(*) > 0 THEN round(count(*) FILTER (WHERE status = 'NO_SHOW')::numeric / count(*), 4)::text END AS "noShowRate",
             CASE WHEN count(*) > 0 THEN round(count(*) FILTER (WHERE status = 'CANCELLED')::numeric / count(*), 4)::text END AS "cancellationRate"
        FROM "Appointment" WHERE "clinicId" = ${ctx.clinicId}::uuid AND "startsAt" >= ${now} - interval '30 days' AND "startsAt" < ${now}`,
    utilisation(ctx, week),
  ]);
  const data: Dashboard = {
    today: today.from,
    currency: ctx.currency,
    todaySessionsByStatus: byStatus,
    revenue: { thisWeek: revenue!.week, thisMonth: revenue!.month },
    outstandingDues: dues,
    last30Days: { sessions: rates!.total, noShows: rates!.noShows, cancellations: rates!.cancellations, noShowRate: rates!.noShowRate, cancellationRate: rates!.cancellationRate },
    utilisation: util,
    week,
  };
  return {
    name: 'dashboard',
    title: `Dashboard, ${data.today}`,
    data,
    tables: [
      { title: "Today's sessions", columns: ['Status', 'Sessions'], rows: Object.entries(byStatus) },
      {
        title: `Key figures (${ctx.currency})`,
        columns: ['Figure', 'Value'],
        rows: [
          ['Revenue this week', data.revenue.thisWeek],
          ['Revenue this month', data.revenue.thisMonth],
          ['Outstanding dues', dues.total],
          ['Patients owing', dues.patients],
          ['No-show rate, 30 days', data.last30Days.noShowRate],
          ['Cancellation rate, 30 days', data.last30Days.cancellationRate],
        ],
      },
      utilisationTable(util),
    ],
  };
}

export interface MoneyRow {
  key: string | null;
  label: string;
  received: string;
  refunded: string;
  net: string;
}

export interface Financial {
  currency: string;
  revenue: { received: string; refunded: string; net: string };
  byTherapyType: MoneyRow[];
  byPractitioner: MoneyRow[];
  byMethod: MoneyRow[];
  packageSales: { count: number; amount: string };
  expensesByCategory: Array<{ category: string; count: number; amount: string }>;
  expensesTotal: string;
  /** Net revenue + package sales − expenses. */
  net: string;
}

export async function financialReport(ctx: ReportContext, period: Period): Promise<Report<Financial>> {
  const { start, end } = bounds(ctx.timezone, period);
  const [money, expenses, packages] = await Promise.all([
    // One pass over the period's payments, grouped three ways and overall (GROUPING SETS).
    ctx.db.$queryRaw<Array<{ dim: string; key: string | null; label: string | null; received: string; refunded: string; net: string }>>`
      WITH g AS (
        SELECT CASE WHEN GROUPING(a."therapyTypeId") = 0 THEN 'therapyType' WHEN GROUPING(a."practitionerId") = 0 THEN 'practitioner'
                    WHEN GROUPING(p.method) = 0 THEN 'method' ELSE 'total' END AS dim,
               a."therapyTypeId", a."practitionerId", p.method,
               COALESCE(sum(p.amount) FILTER (WHERE p.amount > 0), 0) AS received,
               COALESCE(-sum(p.amount) FILTER (WHERE p.amount < 0), 0) AS refunded,
               sum(p.amount) AS net
          FROM "Payment" p LEFT JOIN "Appointment" a ON a.id = p."appointmentId" AND a."clinicId" = p."clinicId"
         WHERE p."clinicId" = ${ctx.clinicId}::uuid AND p."packageChargeId" IS NULL AND p."createdAt" >= ${start} AND p."createdAt" < ${end}
         GROUP BY GROUPING SETS ((a."therapyTypeId"), (a."practitionerId"), (p.method), ()))
      SELECT g.dim, COALESCE(g."therapyTypeId"::text, g."practitionerId"::text, g.method::text) AS key,
             COALESCE(t.name, NULLIF(concat_ws(' ', s."firstName", s."lastName"), ''), g.method::text) AS label,
             g.received::numeric(14, 2)::text AS received, g.refunded::numeric(14, 2)::text AS refunded, g.net::numeric(14, 2)::text AS net
        FROM g LEFT JOIN "TherapyType" t ON t.id = g."therapyTypeId" LEFT JOIN "StaffUser" s ON s.id = g."practitionerId"
       ORDER BY g.dim, g.net DESC, label`,
    ctx.db.$queryRaw<Array<{ category: string | null; count: number; amount: string }>>`
      SELECT category, count(*)::int AS count, sum(amount)::numeric(14, 2)::text AS amount FROM "Expense"
       WHERE "clinicId" = ${ctx.clinicId}::uuid AND date >= ${period.from}::date AND date <= ${period.to}::date
       GROUP BY ROLLUP (category) ORDER BY category NULLS LAST`,
    packageSalesInPeriod(ctx, period),
  ]);
  const rows = (dim: string): MoneyRow[] =>
    money.filter((m) => m.dim === dim).map((m) => ({ key: m.key, label: m.label ?? (dim === 'method' ? '' : 'No session (on account)'), received: m.received, refunded: m.refunded, net: m.net }));
  const total = money.find((m) => m.dim === 'total');
  const revenue = { received: total?.received ?? '0.00', refunded: total?.refunded ?? '0.00', net: total?.net ?? '0.00' };
  const byCategory = expenses.filter((e) => e.category !== null).map((e) => ({ category: e.category!, count: e.count, amount: e.amount }));
  const expensesTotal = expenses.find((e) => e.category === null)?.amount ?? '0.00';
  const net = new Prisma.Decimal(revenue.net).plus(packages.amount).minus(expensesTotal).toFixed(2);
  const data: Financial = {
    currency: ctx.currency,
    revenue,
    byTherapyType: rows('therapyType'),
    byPractitioner: rows('practitioner'),
    byMethod: rows('method'),
    packageSales: packages,
    expensesByCategory: byCategory,
    expensesTotal,
    net,
  };
  const moneyTable = (title: string, list: MoneyRow[]): ReportTable => ({ title, columns: ['Name', 'Received', 'Refunded', 'Net'], rows: list.map((m) => [m.label, m.received, m.refunded, m.net]) });
  return {
    name: 'financial',
    title: `Financial report, ${period.from} to ${period.to}`,
    period,
    data,
    tables: [
      {
        title: `Summary (${ctx.currency})`,
        columns: ['Figure', 'Amount'],
        rows: [
          ['Received', revenue.received],
          ['Refunded', revenue.refunded],
          ['Net revenue', revenue.net],
          ['Package sales', packages.amount],
          ['Expenses', expensesTotal],
          ['Net', net],
        ],
      },
      moneyTable('Revenue by therapy type', data.byTherapyType),
      moneyTable('Revenue by practitioner', data.byPractitioner),
      moneyTable('Revenue by method', data.byMethod),
      { title: 'Expenses by category', columns: ['Category', 'Expenses', 'Amount'], rows: byCategory.map((e) => [e.category, e.count, e.amount]) },
    ],
  };
}

export interface SessionCounts {
  key: string | null;
  label: string;
  total: number;
  byStatus: Record<string, number>;
}

export interface Sessions {
  byStatus: Record<string, number>;
  total: number;
  perPractitioner: SessionCounts[];
  perTherapyType: SessionCounts[];
  utilisation: Utilisation[];
}

export async function sessionsReport(ctx: ReportContext, period: Period): Promise<Report<Sessions>> {
  const { start, end } = bounds(ctx.timezone, period);
  const [counts, util] = await Promise.all([
    ctx.db.$queryRaw<Array<{ dim: string; key: string | null; label: string | null; status: string; count: number }>>`
      WITH g AS (
        SELECT CASE WHEN GROUPING(a."practitionerId") = 0 THEN 'practitioner' WHEN GROUPING(a."therapyTypeId") = 0 THEN 'therapyType' ELSE 'total' END AS dim,
               a."practitionerId", a."therapyTypeId", a.status, count(*)::int AS count
          FROM "Appointment" a
         WHERE a."clinicId" = ${ctx.clinicId}::uuid AND a."startsAt" >= ${start} AND a."startsAt" < ${end}
         GROUP BY GROUPING SETS ((a.status), (a."practitionerId", a.status), (a."therapyTypeId", a.status)))
      SELECT g.dim, COALESCE(g."practitionerId"::text, g."therapyTypeId"::text) AS key,
             COALESCE(NULLIF(concat_ws(' ', s."firstName", s."lastName"), ''), t.name) AS label, g.status::text, g.count
        FROM g LEFT JOIN "StaffUser" s ON s.id = g."practitionerId" LEFT JOIN "TherapyType" t ON t.id = g."therapyTypeId"
       ORDER BY g.dim, label, g.status`,
    utilisation(ctx, period),
  ]);
  const group = (dim: string): SessionCounts[] => {
    const by = new Map<string, SessionCounts>();
    for (const c of counts.filter((x) => x.dim === dim)) {
      const id = c.key ?? '';
      const entry = by.get(id) ?? { key: c.key, label: c.label ?? 'No therapy type', total: 0, byStatus: {} };
      entry.byStatus[c.status] = c.count;
      entry.total += c.count;
      by.set(id, entry);
    }
    return [...by.values()];
  };
  const byStatus = Object.fromEntries(counts.filter((c) => c.dim === 'total').map((c) => [c.status, c.count]));
  const data: Sessions = {
    byStatus,
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    perPractitioner: group('practitioner'),
    perTherapyType: group('therapyType'),
    utilisation: util,
  };
  const STATUSES = ['SCHEDULED', 'CONFIRMED', 'CHECKED_IN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_SHOW'];
  const countTable = (title: string, list: SessionCounts[]): ReportTable => ({
    title,
    columns: ['Name', 'Total', ...STATUSES],
    rows: list.map((s) => [s.label, s.total, ...STATUSES.map((st) => s.byStatus[st] ?? 0)]),
  });
  return {
    name: 'sessions',
    title: `Sessions report, ${period.from} to ${period.to}`,
    period,
    data,
    tables: [
      { title: 'Sessions by status', columns: ['Status', 'Sessions'], rows: [...Object.entries(byStatus), ['Total', data.total]] },
      countTable('Sessions per practitioner', data.perPractitioner),
      countTable('Sessions per therapy type', data.perTherapyType),
      utilisationTable(util),
    ],
  };
}

export interface AgingBuckets {
  d0to30: string;
  d31to60: string;
  d61to90: string;
  over90: string;
  total: string;
}

export interface DuesAging {
  asOf: string;
  currency: string;
  totals: AgingBuckets;
  patients: Array<{ patientId: string; name: string } & AgingBuckets>;
}

/**
 * What each patient owes, by how long ago the session was (days in the clinic's calendar). Money
 * paid on account settles the oldest sessions first, so what remains is the most recent.
 */
export async function duesAgingReport(ctx: ReportContext): Promise<Report<DuesAging>> {
  const tz = ctx.timezone;
  const now = sql`${ctx.now.toISOString()}::timestamptz`;
  const rows = await ctx.db.$queryRaw<Array<{ patientId: string | null; firstName: string | null; lastName: string | null; asOf: string; b0: string; b1: string; b2: string; b3: string; total: string }>>`
    WITH billed AS MATERIALIZED (${billedSessions(ctx.clinicId)}),
    payments AS MATERIALIZED (
      -- One pass over the clinic's payments: per session, and on account (appointmentId null) per patient.
      SELECT "appointmentId", "patientId", sum(amount) AS paid FROM "Payment"
       WHERE "clinicId" = ${ctx.clinicId}::uuid AND "packageChargeId" IS NULL GROUP BY "appointmentId", "patientId"),
    paid AS (SELECT "appointmentId", sum(paid) AS paid FROM payments WHERE "appointmentId" IS NOT NULL GROUP BY "appointmentId"),
    account AS (SELECT "patientId", paid FROM payments WHERE "appointmentId" IS NULL),
    session AS (
      SELECT a."patientId", a.id, a."startsAt", ${BILLED_SESSION_COST} - COALESCE(paid.paid, 0) AS due,
             (${now} AT TIME ZONE ${tz})::date - (a."startsAt" AT TIME ZONE ${tz})::date AS age
        FROM "Appointment" a LEFT JOIN paid ON paid."appointmentId" = a.id LEFT JOIN billed ON billed."appointmentId" = a.id
       WHERE a."clinicId" = ${ctx.clinicId}::uuid AND a.status = 'COMPLETED' AND a.price IS NOT NULL),
    running AS (
      SELECT s.*, sum(s.due) OVER (PARTITION BY s."patientId" ORDER BY s."startsAt", s.id) AS upto, COALESCE(account.paid, 0) AS "onAccount"
        FROM session s LEFT JOIN account USING ("patientId") WHERE s.due > 0),
    open AS (SELECT "patientId", age, LEAST(due, GREATEST(upto - "onAccount", 0)) AS owed FROM running),
    per AS (
      SELECT "patientId",
             COALESCE(sum(owed) FILTER (WHERE age <= 30), 0) AS b0, COALESCE(sum(owed) FILTER (WHERE age BETWEEN 31 AND 60), 0) AS b1,
             COALESCE(sum(owed) FILTER (WHERE age BETWEEN 61 AND 90), 0) AS b2, COALESCE(sum(owed) FILTER (WHERE age > 90), 0) AS b3, sum(owed) AS total
        FROM open GROUP BY ROLLUP ("patientId"))
    SELECT per."patientId"::text AS "patientId", pt."firstName", pt."lastName", to_char((${now} AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS "asOf",
           b0::numeric(14, 2)::text AS b0, b1::numeric(14, 2)::text AS b1, b2::numeric(14, 2)::text AS b2, b3::numeric(14, 2)::text AS b3,
           COALESCE(total, 0)::numeric(14, 2)::text AS total
      FROM per LEFT JOIN "Patient" pt ON pt.id = per."patientId"
     WHERE per."patientId" IS NULL OR per.total > 0
     ORDER BY per."patientId" IS NULL, per.total DESC, per."patientId"`;
  const buckets = (r: (typeof rows)[number]): AgingBuckets => ({ d0to30: r.b0, d31to60: r.b1, d61to90: r.b2, over90: r.b3, total: r.total });
  const totalRow = rows.find((r) => r.patientId === null);
  const zero: AgingBuckets = { d0to30: '0.00', d31to60: '0.00', d61to90: '0.00', over90: '0.00', total: '0.00' };
  const [asOf] = totalRow ? [totalRow.asOf] : await ctx.db.$queryRaw<Array<{ asOf: string }>>`SELECT to_char((${now} AT TIME ZONE ${tz})::date, 'YYYY-MM-DD') AS "asOf"`.then((r) => r.map((x) => x.asOf));
  const data: DuesAging = {
    asOf: asOf!,
    currency: ctx.currency,
    totals: totalRow ? buckets(totalRow) : zero,
    patients: rows.filter((r) => r.patientId !== null).map((r) => ({ patientId: r.patientId!, name: name(r.firstName, r.lastName) ?? r.patientId!, ...buckets(r) })),
  };
  const cols = ['Patient', '0-30 days', '31-60 days', '61-90 days', '90+ days', 'Total'];
  const line = (label: string, b: AgingBuckets) => [label, b.d0to30, b.d31to60, b.d61to90, b.over90, b.total];
  return {
    name: 'dues-aging',
    title: `Outstanding dues by age, ${data.asOf} (${ctx.currency})`,
    data,
    tables: [{ title: 'Dues by patient', columns: cols, rows: [...data.patients.map((p) => line(p.name, p)), line('Total', data.totals)] }],
  };
}

export interface PatientsPerMonth {
  months: Array<{ month: string; newPatients: number; activePatients: number }>;
}

/** New patients (registered) and active ones (a session that was neither cancelled nor missed) per month. */
export async function patientsReport(ctx: ReportContext, period: Period): Promise<Report<PatientsPerMonth>> {
  const { start, end } = bounds(ctx.timezone, period);
  const tz = ctx.timezone;
  const rows = await ctx.db.$queryRaw<Array<{ month: string; newPatients: number; activePatients: number }>>`
    WITH months AS (SELECT generate_series(date_trunc('month', ${period.from}::date), date_trunc('month', ${period.to}::date), interval '1 month')::date AS m),
    registered AS (
      SELECT date_trunc('month', "createdAt" AT TIME ZONE ${tz})::date AS m, count(*)::int AS n FROM "Patient"
       WHERE "clinicId" = ${ctx.clinicId}::uuid AND "createdAt" >= ${start} AND "createdAt" < ${end} GROUP BY 1),
    seen AS (
      SELECT date_trunc('month', "startsAt" AT TIME ZONE ${tz})::date AS m, count(DISTINCT "patientId")::int AS n FROM "Appointment"
       WHERE "clinicId" = ${ctx.clinicId}::uuid AND status NOT IN ('CANCELLED', 'NO_SHOW') AND "startsAt" >= ${start} AND "startsAt" < ${end} GROUP BY 1)
    SELECT to_char(months.m, 'YYYY-MM') AS month, COALESCE(registered.n, 0) AS "newPatients", COALESCE(seen.n, 0) AS "activePatients"
      FROM months LEFT JOIN registered USING (m) LEFT JOIN seen USING (m) ORDER BY months.m`;
  return {
    name: 'patients',
    title: `Patients per month, ${period.from} to ${period.to}`,
    period,
    data: { months: rows },
    tables: [{ title: 'Patients per month', columns: ['Month', 'New patients', 'Active patients'], rows: rows.map((r) => [r.month, r.newPatients, r.activePatients]) }],
  };
}

/** The clinic's calendar: today, this month's first day, and the previous month's first and last. */
export async function clinicCalendar(db: RawQuerier, timezone: string, now: Date): Promise<{ today: string; monthStart: string; yearAgoMonthStart: string; prevMonthStart: string; prevMonthEnd: string }> {
  const [row] = await db.$queryRaw<Array<{ today: string; monthStart: string; yearAgoMonthStart: string; prevMonthStart: string; prevMonthEnd: string }>>`
    WITH t AS (SELECT (${now.toISOString()}::timestamptz AT TIME ZONE ${timezone})::date AS d)
    SELECT to_char(d, 'YYYY-MM-DD') AS today, to_char(date_trunc('month', d), 'YYYY-MM-DD') AS "monthStart",
           to_char(date_trunc('month', d) - interval '11 months', 'YYYY-MM-DD') AS "yearAgoMonthStart",
           to_char(date_trunc('month', d) - interval '1 month', 'YYYY-MM-DD') AS "prevMonthStart",
           to_char(date_trunc('month', d) - interval '1 day', 'YYYY-MM-DD') AS "prevMonthEnd" FROM t`;
  return row!;
}
