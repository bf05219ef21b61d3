/**
 * GET /report-downloads/:token: the link in a shared progress report's message. No sign-in: the
 * signed token (api/services/report-links.ts) names the report and when the link expires. A token
 * not signed by ClinicFlow, or altered, answers 404; an expired one 410. The token is a credential:
 * the access log redacts it.
 */
import { scopedToClinic } from '../../prisma/tenant';
import { payLinkSettings } from '../../activities/payments/pay-links';
import { text } from '../../domain/text';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { readReportDownloadToken } from '../services/report-links';
import { reportPdf } from './progress-reports';

export function reportDownloadRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const links = payLinkSettings(deps.config);
  return r.route({
    method: 'get',
    path: '/:token',
    summary: 'Download a shared progress report (PDF) from the link sent to the patient or guardian',
    access: 'public',
    params: z.object({ token: text().min(10).max(300) }),
    responses: { 200: { description: 'application/pdf' }, 404: { description: 'Not a download link' }, 410: { description: 'LINK_EXPIRED' } },
    handler: async ({ params }, _req, res) => {
      const link = readReportDownloadToken(links.secret, params.token);
      const found = link ? await deps.prisma.progressReport.findUnique({ where: { id: link.reportId }, select: { clinicId: true } }) : null;
      if (!link || !found) throw ApiError.notFound('Download link');
      const now = deps.now?.() ?? new Date();
      if (now >= link.expiresAt) throw new ApiError(410, 'LINK_EXPIRED', 'This download link has expired; please ask the clinic for a new one');
      const db = scopedToClinic(deps.prisma, found.clinicId);
      const report = await db.progressReport.findUniqueOrThrow({ where: { id: link.reportId }, include: { template: true } });
      if (report.status !== 'SIGNED') throw ApiError.notFound('Download link');
      const pdf = await reportPdf(db, report);
      res.type('application/pdf').setHeader('Content-Disposition', `attachment; filename="progress-report.pdf"`);
      res.send(pdf);
    },
  });
}
