/**
 * GET /clinics/:clinicId/communication/alerts: the clinic's messaging alerts (raised and resolved
 * by the messaging-monitor Schedule), newest first. Details hold figures only, never addresses.
 */
import { MESSAGING_ALERT_KINDS } from '../../domain/messaging-alerts';
import { CHANNELS } from '../../domain/messaging';
import { type MessagingAlert } from '../../prisma/generated/client';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { booleanQuery, clinicIdParams, listQuery, page } from '../schemas/common';

const alertQuery = listQuery.extend({
  open: booleanQuery.optional().describe('true: only open alerts; false: only resolved ones'),
  kind: z.enum(MESSAGING_ALERT_KINDS).optional(),
});

const alertResponse = z
  .object({
    id: z.string(),
    kind: z.enum(MESSAGING_ALERT_KINDS),
    channel: z.enum(CHANNELS),
    entryId: z.string().describe("The provider entry concerned; '' for the whole channel"),
    label: z.string(),
    details: z.record(z.string(), z.unknown()).describe('Figures behind the alert (circuit state, bounce rate, daily count…)'),
    openedAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('MessagingAlert');

function presentAlert(a: MessagingAlert) {
  return {
    id: a.id,
    kind: a.kind,
    channel: a.channel,
    entryId: a.entryId,
    label: a.label,
    details: a.details as Record<string, unknown>,
    openedAt: a.openedAt.toISOString(),
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
  };
}

export function messagingAlertRoutes(r: ApiRouter): ApiRouter {
  return r.route({
    method: 'get',
    path: '/alerts',
    summary: "The clinic's messaging alerts, newest first",
    description:
      'One alert per incident (an open circuit, rejected credentials, a silent channel, a 24-hour bounce rate above 10 % over at least 20 messages, a daily limit 80 % used), raised and resolved by the messaging monitor every 5 minutes.',
    access: 'communication:manage',
    tenant: true,
    params: clinicIdParams,
    query: alertQuery,
    responses: { 200: { description: 'A page of alerts', schema: page(alertResponse) } },
    handler: async ({ query }, req, res) => {
      const where = { ...(query.open === undefined ? {} : { resolvedAt: query.open ? null : { not: null } }), ...(query.kind ? { kind: query.kind } : {}) };
      const rows = await req.tenant!.db.messagingAlert.findMany({ where, orderBy: { id: 'desc' }, ...pageArgs(query.limit, query.cursor) });
      res.json(toPage(rows, query.limit, presentAlert));
    },
  });
}
