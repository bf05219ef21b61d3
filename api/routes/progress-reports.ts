/**
 * Progress reports: written by a practitioner on a template, per patient and optionally per
 * session; a draft until its author signs it, immutable afterwards. Searchable by patient,
 * therapist and date range; two reports' scores compare field by field; a report prints as a PDF
 * with the clinic's name and is shared with the patient or guardian as an expiring signed link,
 * sent by the delivery workflow. Values are PHI: the audit trail records that they changed, not what.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { localDate } from '../../domain/dates';
import { compareScores, type ReportValues, sectionsOf, valuesSchema } from '../../domain/progress-reports';
import { messageDeliveryStart, workflowIds } from '../../domain/temporal';
import { type Prisma, type ProgressReport } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { payLinkSettings } from '../../activities/payments/pay-links';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import {
  compareQuery,
  comparisonResponse,
  createReportBody,
  reportListQuery,
  reportResponse,
  shareReportBody,
  shareReportResponse,
  updateReportBody,
} from '../schemas/progress-reports';
import { auditRead, REDACTED, writeAudit } from '../services/audit';
import { signalDocumentationSigned } from '../services/documentation';
import { renderReportPdf } from '../services/progress-report-pdf';
import { reportDownloadToken, reportDownloadUrl } from '../services/report-links';
import { startWorkflow } from '../services/start-workflow';
import { type Request } from 'express';

export function presentReport(r: ProgressReport): z.infer<typeof reportResponse> {
  return {
    id: r.id,
    patientId: r.patientId,
    appointmentId: r.appointmentId,
    practitionerId: r.practitionerId,
    templateId: r.templateId,
    status: r.status,
    values: r.values as Record<string, unknown>,
    reportedAt: r.reportedAt.toISOString(),
    signedAt: r.signedAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** The audit trail keeps who changed a report and when, never its clinical values. */
const audited = (r: ProgressReport) => ({ ...r, values: REDACTED });

/** The template's schema decides; its issues answer 400 with body.values.<section>.<field>. */
function checkValues(sections: ReturnType<typeof sectionsOf>, values: unknown, complete: boolean): ReportValues {
  const result = valuesSchema(sections, { complete }).safeParse(values);
  if (result.success) return result.data as ReportValues;
  const details = result.error.issues.map((i) => ({ path: ['body', 'values', ...i.path.map(String)].join('.'), message: i.message }));
  if (complete) throw ApiError.unprocessable('REPORT_INCOMPLETE', 'The report cannot be signed: fill in its required fields first', details);
  throw ApiError.badRequest('VALIDATION_ERROR', 'Invalid request body', details);
}

/** A report the caller reaches: on a patient they may see (practitioners: patients they treat). */
async function reachableReport(db: TenantDb, req: Request, id: string) {
  const report = await db.progressReport.findUnique({ where: { id, patient: req.tenant!.ownership.patient }, include: { template: true } });
  if (!report) throw ApiError.notFound('Progress report');
  return report;
}

/** Only a draft, and only by the practitioner who wrote it. */
function assertEditable(report: ProgressReport, req: Request): void {
  if (report.practitionerId !== req.auth!.userId) throw ApiError.forbidden('NOT_AUTHOR', 'Only the practitioner who wrote the report may change or sign it');
  if (report.status === 'SIGNED') throw ApiError.conflict('REPORT_SIGNED', 'The report is signed and can no longer change');
}

export function progressReportRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const links = payLinkSettings(deps.config);
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Write a progress report (a draft) on a template, for a patient and optionally one of their sessions',
      access: 'progress-report:write',
      tenant: true,
      body: createReportBody,
      responses: { 201: { description: 'The draft', schema: reportResponse }, 400: { description: 'A value does not fit the template (its path in details)' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        const patient = await db.patient.findUnique({ where: { id: body.patientId, AND: [ownership.patient] }, select: { id: true } });
        if (!patient) throw ApiError.notFound('Patient');
        const template = await db.progressReportTemplate.findUnique({ where: { id: body.templateId } });
        if (!template?.active) throw ApiError.unprocessable('UNKNOWN_TEMPLATE', 'No active report template with this id', [{ path: 'body.templateId', message: 'not found or archived' }]);
        let reportedAt = new Date();
        if (body.appointmentId) {
          const appointment = await db.appointment.findUnique({ where: { id: body.appointmentId, AND: [ownership.appointment] }, select: { patientId: true, startsAt: true } });
          if (!appointment || appointment.patientId !== patient.id) {
            throw ApiError.unprocessable('UNKNOWN_SESSION', "Not one of this patient's sessions", [{ path: 'body.appointmentId', message: 'not found for this patient' }]);
          }
          reportedAt = appointment.startsAt;
        }
        const values = checkValues(sectionsOf(template.sections), body.values, false);
        const created = await db.$transaction(async (tx) => {
          const row = await tx.progressReport.create({
            data: { clinicId, patientId: patient.id, appointmentId: body.appointmentId ?? null, practitionerId: req.auth!.userId, templateId: template.id, values: values as Prisma.InputJsonValue, reportedAt },
          });
          await writeAudit(tx, req, { action: 'progressReport.create', entityType: 'ProgressReport', entityId: row.id, clinicId, after: audited(row) });
          return row;
        });
        res.status(201).json(presentReport(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: 'Search progress reports by patient, therapist, session, status and date range (newest first)',
      access: 'progress-report:read',
      tenant: true,
      query: reportListQuery,
      responses: { 200: { description: 'A page of reports', schema: page(reportResponse) } },
      handler: async ({ query }, req, res) => {
        const { db, ownership } = req.tenant!;
        const rows = await db.progressReport.findMany({
          where: {
            ...(query.patientId ? { patientId: query.patientId } : {}),
            ...(query.practitionerId ? { practitionerId: query.practitionerId } : {}),
            ...(query.appointmentId ? { appointmentId: query.appointmentId } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.from || query.to ? { reportedAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
            patient: ownership.patient,
          },
          orderBy: { id: 'desc' },
          ...pageArgs(query.limit, query.cursor),
        });
        const result = toPage(rows, query.limit, presentReport);
        await auditRead(db, req, 'progressReport.list', rows.slice(0, query.limit).map((r) => r.patientId));
        res.json(result);
      },
    })
    .route({
      method: 'get',
      path: '/compare',
      summary: "Compare two reports' scores: per scale field, before, after and the difference",
      access: 'progress-report:read',
      tenant: true,
      query: compareQuery,
      responses: { 200: { description: 'The comparison', schema: comparisonResponse }, 422: { description: 'DIFFERENT_PATIENTS' } },
      handler: async ({ query }, req, res) => {
        const { db } = req.tenant!;
        const [a, b] = [await reachableReport(db, req, query.a), await reachableReport(db, req, query.b)];
        if (a.patientId !== b.patientId) throw ApiError.unprocessable('DIFFERENT_PATIENTS', "Only one patient's reports compare");
        await auditRead(db, req, 'progressReport.compare', [a.patientId]);
        res.json({
          before: { id: a.id, reportedAt: a.reportedAt.toISOString() },
          after: { id: b.id, reportedAt: b.reportedAt.toISOString() },
          scores: compareScores(sectionsOf(b.template.sections), a.values as ReportValues, b.values as ReportValues),
        });
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a progress report',
      access: 'progress-report:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The report', schema: reportResponse } },
      handler: async ({ params }, req, res) => {
        const report = await reachableReport(req.tenant!.db, req, params.id);
        await auditRead(req.tenant!.db, req, 'progressReport.read', [report.patientId]);
        res.json(presentReport(report));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a draft report (its author only); a signed report answers 409 REPORT_SIGNED',
      access: 'progress-report:write',
      tenant: true,
      params: idParams,
      body: updateReportBody,
      responses: { 200: { description: 'The changed draft', schema: reportResponse }, 409: { description: 'REPORT_SIGNED' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const before = await reachableReport(db, req, params.id);
        assertEditable(before, req);
        const values = checkValues(sectionsOf(before.template.sections), body.values, false);
        const after = await db.$transaction(async (tx) => {
          // Conditional on DRAFT: a signature that landed meanwhile wins.
          const { count } = await tx.progressReport.updateMany({ where: { id: before.id, status: 'DRAFT' }, data: { values: values as Prisma.InputJsonValue } });
          if (count === 0) throw ApiError.conflict('REPORT_SIGNED', 'The report is signed and can no longer change');
          const row = await tx.progressReport.findUniqueOrThrow({ where: { id: before.id } });
          await writeAudit(tx, req, { action: 'progressReport.update', entityType: 'ProgressReport', entityId: row.id, clinicId, before: audited(before), after: { ...audited(row), values: '[redacted, changed]' } });
          return row;
        });
        res.json(presentReport(after));
      },
    })
    .route({
      method: 'post',
      path: '/:id/sign',
      summary: "Sign a report (its author only): every required field filled; it never changes again and ends its session's documentation deadline",
      access: 'progress-report:write',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The signed report', schema: reportResponse }, 409: { description: 'REPORT_SIGNED' }, 422: { description: 'REPORT_INCOMPLETE (paths in details)' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const before = await reachableReport(db, req, params.id);
        assertEditable(before, req);
        checkValues(sectionsOf(before.template.sections), before.values, true);
        const signed = await db.$transaction(async (tx) => {
          const { count } = await tx.progressReport.updateMany({ where: { id: before.id, status: 'DRAFT' }, data: { status: 'SIGNED', signedAt: new Date() } });
          if (count === 0) throw ApiError.conflict('REPORT_SIGNED', 'The report is already signed');
          const row = await tx.progressReport.findUniqueOrThrow({ where: { id: before.id } });
          await writeAudit(tx, req, { action: 'progressReport.sign', entityType: 'ProgressReport', entityId: row.id, clinicId, before: audited(before), after: audited(row) });
          return row;
        });
        if (signed.appointmentId) await signalDocumentationSigned(deps, clinicId, signed.appointmentId);
        res.json(presentReport(signed));
      },
    })
    .route({
      method: 'get',
      path: '/:id/pdf',
      summary: "The report as a PDF with the clinic's name",
      access: 'progress-report:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'application/pdf' } },
      handler: async ({ params }, req, res) => {
        const { db } = req.tenant!;
        const report = await reachableReport(db, req, params.id);
        const pdf = await reportPdf(db, report);
        await auditRead(db, req, 'progressReport.pdf', [report.patientId]);
        res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="progress-report-${report.id}.pdf"`);
        res.send(pdf);
      },
    })
    .route({
      method: 'post',
      path: '/:id/share',
      summary: 'Send a signed report to the patient or their guardian: a download link that expires, delivered by the delivery workflow',
      access: 'progress-report:share',
      tenant: true,
      params: idParams,
      body: shareReportBody,
      responses: {
        202: { description: 'The message is on its way', schema: shareReportResponse },
        409: { description: 'REPORT_NOT_SIGNED' },
        422: { description: 'NO_GUARDIAN: the patient has no guardian on file' },
      },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const report = await reachableReport(db, req, params.id);
        if (report.status !== 'SIGNED') throw ApiError.conflict('REPORT_NOT_SIGNED', 'Only a signed report can be shared');
        const patient = await db.patient.findUniqueOrThrow({ where: { id: report.patientId }, include: { clinic: { select: { name: true, timezone: true } } } });
        if (body.to === 'guardian' && !patient.guardianName) throw ApiError.unprocessable('NO_GUARDIAN', 'The patient has no guardian on file', [{ path: 'body.to', message: 'no guardian' }]);
        const now = deps.now?.() ?? new Date();
        const expiresAt = new Date(now.getTime() + body.expiresInHours * 3_600_000);
        const downloadUrl = reportDownloadUrl(links.baseUrl, reportDownloadToken(links.secret, report.id, expiresAt));
        const id = randomUUID();
        const toGuardian = body.to === 'guardian';
        await db.$transaction(async (tx) => {
          await tx.message.create({
            data: {
              id,
              clinicId,
              patientId: patient.id,
              category: 'progress-report',
              channels: body.channels,
              // The guardian's own address wins over the patient's (api: activities/messaging/recipients.ts).
              recipient: toGuardian ? { ...(patient.guardianEmail ? { email: patient.guardianEmail } : {}), ...(patient.guardianPhone ? { phone: patient.guardianPhone } : {}) } : {},
              templateKey: 'progress-report-shared',
              variables: {
                recipientName: toGuardian ? patient.guardianName! : `${patient.firstName} ${patient.lastName}`,
                clinicName: patient.clinic.name,
                reportDate: localDate(report.reportedAt, patient.clinic.timezone),
                expiresOn: localDate(expiresAt, patient.clinic.timezone),
                downloadUrl,
              },
              language: patient.preferredLanguage,
              metadata: { progressReportId: report.id, to: body.to },
              workflowId: workflowIds.messageDelivery(clinicId, id),
              createdById: req.auth!.userId,
              // The link is useless once expired: so is the message.
              expiresAt,
            },
          });
          await writeAudit(tx, req, { action: 'progressReport.share', entityType: 'ProgressReport', entityId: report.id, clinicId, after: { to: body.to, messageId: id, expiresAt } });
        });
        try {
          await startWorkflow(deps, 'messageDeliveryWorkflow', messageDeliveryStart(clinicId, id, patient.id), 'The report could not be sent now; try again later');
        } catch (err) {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
            await db.message.deleteMany({ where: { id } });
            throw err;
          }
        }
        res.status(202).json({ messageId: id, workflowId: workflowIds.messageDelivery(clinicId, id), expiresAt: expiresAt.toISOString() });
      },
    });
}

/** The PDF of a report, with the names it prints loaded from the clinic's own rows. */
export async function reportPdf(db: TenantDb, report: ProgressReport & { template: { name: string; sections: unknown } }): Promise<Buffer> {
  const [clinic, patient, practitioner] = await Promise.all([
    db.clinic.findFirstOrThrow({ select: { name: true, timezone: true } }),
    db.patient.findUniqueOrThrow({ where: { id: report.patientId }, select: { firstName: true, lastName: true } }),
    db.staffUser.findUniqueOrThrow({ where: { id: report.practitionerId }, select: { firstName: true, lastName: true } }),
  ]);
  return renderReportPdf({
    clinicName: clinic.name,
    templateName: report.template.name,
    patientName: `${patient.firstName} ${patient.lastName}`,
    practitionerName: `${practitioner.firstName} ${practitioner.lastName}`,
    reportedAt: localDate(report.reportedAt, clinic.timezone),
    status: report.status,
    signedAt: report.signedAt ? localDate(report.signedAt, clinic.timezone) : null,
    sections: sectionsOf(report.template.sections),
    values: report.values as ReportValues,
  });
}
