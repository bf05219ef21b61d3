/**
 * GET /reports/*: the owner's reports for the caller's clinic, in the clinic's time zone, as JSON,
 * CSV (?format=csv, streamed) or PDF (?format=pdf). The figures come from api/services/reports.ts.
 * GET /report-links/:token: the PDF behind the link of a monthly report e-mail (signed, expiring).
 */
import { type Request, type Response } from 'express';
import { payLinkSettings } from '../../activities/payments/pay-links';
import { reportLinkOfToken } from '../../activities/reports/report-links';
import { isIsoDate } from '../../domain/dates';
import { text } from '../../domain/text';
import { scopedToClinic } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { auditRead } from '../services/audit';
import { writeReportCsv, writeReportPdf } from '../services/report-formats';
import {
  clinicCalendar,
  dashboardReport,
  duesAgingReport,
  financialReport,
  patientsReport,
  type Period,
  type Report,
  type ReportContext,
  sessionsReport,
} from '../services/reports';

const MAX_DAYS = 731;
const isoDate = text().refine(isIsoDate, 'must be a date (YYYY-MM-DD)');
const format = z.enum(['json', 'csv', 'pdf']).default('json').describe('json (the default), csv or pdf');
const formatQuery = z.object({ format });
const periodQuery = z
  .object({ from: isoDate.optional().describe('First day, clinic time (default: this month)'), to: isoDate.optional().describe('Last day, inclusive (default: today)'), format })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => !q.from || !q.to || (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_DAYS, { message: `at most ${MAX_DAYS} days`, path: ['to'] });
const reportResponse = z.object({ name: text(), title: text(), period: z.object({ from: text(), to: text() }).optional(), data: z.record(z.string(), z.unknown()) }).openapi('Report');

type Format = z.infer<typeof format>;

async function send(res: Response, report: Report<unknown>, fmt: Format, clinicName: string, now: Date): Promise<void> {
  const file = `${report.name}${report.period ? `-${report.period.from}-${report.period.to}` : ''}`;
  if (fmt === 'csv') {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${file}.csv"`);
    await writeReportCsv(report, res);
  } else if (fmt === 'pdf') {
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${file}.pdf"`);
    await writeReportPdf(clinicName, [report], res, now);
  } else {
    res.json({ name: report.name, title: report.title, ...(report.period ? { period: report.period } : {}), data: report.data });
  }
}

export function reportRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const clock = () => deps.now?.() ?? new Date();
  const context = async (req: Request): Promise<ReportContext & { name: string }> => {
    const { db, clinicId } = req.tenant!;
    const clinic = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { name: true, timezone: true, currency: true } });
    return { db, clinicId, timezone: clinic.timezone, currency: clinic.currency, now: clock(), name: clinic.name };
  };
  const period = async (ctx: ReportContext, q: { from?: string; to?: string }, defaultFrom: 'monthStart' | 'yearAgoMonthStart'): Promise<Period> => {
    if (q.from && q.to) return { from: q.from, to: q.to };
    const cal = await clinicCalendar(ctx.db, ctx.timezone, ctx.now);
    return { from: q.from ?? cal[defaultFrom], to: q.to ?? cal.today };
  };
  const common = { access: 'report:read' as const, tenant: true, responses: { 200: { description: 'The report (JSON), or its CSV or PDF', schema: reportResponse } } };

  return r
    .route({
      ...common,
      method: 'get',
      path: '/dashboard',
      summary: "Today's sessions, revenue this week and month, dues, 30-day no-show and cancellation rates, this week's utilisation",
      query: formatQuery,
      handler: async ({ query }, req, res) => {
        const ctx = await context(req);
        await send(res, await dashboardReport(ctx), query.format, ctx.name, ctx.now);
      },
    })
    .route({
      ...common,
      method: 'get',
      path: '/financial',
      summary: 'Revenue by therapy type, practitioner and method; refunds; package sales; expenses by category; net',
      query: periodQuery,
      handler: async ({ query }, req, res) => {
        const ctx = await context(req);
        await send(res, await financialReport(ctx, await period(ctx, query, 'monthStart')), query.format, ctx.name, ctx.now);
      },
    })
    .route({
      ...common,
      method: 'get',
      path: '/sessions',
      summary: 'Sessions by status, per practitioner and therapy type; utilisation',
      query: periodQuery,
      handler: async ({ query }, req, res) => {
        const ctx = await context(req);
        await send(res, await sessionsReport(ctx, await period(ctx, query, 'monthStart')), query.format, ctx.name, ctx.now);
      },
    })
    .route({
      ...common,
      method: 'get',
      path: '/dues-aging',
      summary: 'Outstanding dues per patient by age: 0-30, 31-60, 61-90, 90+ days',
      query: formatQuery,
      handler: async ({ query }, req, res) => {
        const ctx = await context(req);
        const report = await duesAgingReport(ctx);
        // The report names patients: the read is on the access trail like any patient list.
        await auditRead(req.tenant!.db, req, 'report.dues-aging', report.data.patients.map((p) => p.patientId));
        await send(res, report, query.format, ctx.name, ctx.now);
      },
    })
    .route({
      ...common,
      method: 'get',
      path: '/patients',
      summary: 'New and active patients per month (default: the last twelve months)',
      query: periodQuery,
      handler: async ({ query }, req, res) => {
        const ctx = await context(req);
        await send(res, await patientsReport(ctx, await period(ctx, query, 'yearAgoMonthStart')), query.format, ctx.name, ctx.now);
      },
    });
}

/** The month's first and last day (yyyy-mm). */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

export function reportLinkRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const { secret } = payLinkSettings(deps.config);
  return r.route({
    method: 'get',
    path: '/:token',
    summary: "A month's owner report (PDF), from the link of the monthly report e-mail",
    access: 'public',
    params: z.object({ token: text().min(10).max(300) }),
    responses: { 200: { description: 'The PDF' }, 404: { description: 'Not a report link' }, 410: { description: 'REPORT_LINK_EXPIRED' } },
    handler: async ({ params }, _req, res) => {
      const link = reportLinkOfToken(secret, params.token);
      const clinic = link ? await deps.prisma.clinic.findUnique({ where: { id: link.clinicId }, select: { id: true, name: true, timezone: true, currency: true } }) : null;
      if (!link || !clinic) throw ApiError.notFound('Report link');
      const now = deps.now?.() ?? new Date();
      if (now > link.expiresAt) throw new ApiError(410, 'REPORT_LINK_EXPIRED', 'This report link has expired; sign in to read the reports');
      const ctx: ReportContext = { db: scopedToClinic(deps.prisma, clinic.id), clinicId: clinic.id, timezone: clinic.timezone, currency: clinic.currency, now };
      const p = monthPeriod(link.month);
      const reports = [await financialReport(ctx, p), await sessionsReport(ctx, p)];
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `attachment; filename="report-${link.month}.pdf"`);
      await writeReportPdf(clinic.name, reports, res, now);
    },
  });
}
