/** GET /patients/:id/timeline: everything that happened to a patient, newest first (api/services/timeline.ts). */
import { can } from '../../domain/permissions';
import { text } from '../../domain/text';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { idParams, listQuery, page } from '../schemas/common';
import { auditRead } from '../services/audit';
import { TIMELINE_SOURCES, timelinePage, type TimelineSource } from '../services/timeline';

const timelineEntry = z
  .object({ kind: text(), id: z.uuid(), at: text(), summary: z.record(text(), z.union([text(), z.number(), z.boolean(), z.null()])) })
  .openapi('TimelineEntry');

export function patientTimelineRoutes(r: ApiRouter, _deps: ApiDeps, sources: readonly TimelineSource[] = TIMELINE_SOURCES): ApiRouter {
  const kinds = sources.map((s) => s.kind) as [string, ...string[]];
  return r.route({
    method: 'get',
    path: '/:id/timeline',
    summary: "A patient's appointments, progress reports, payments and messages in one stream, newest first",
    description: 'Each kind shows only to roles that may read it (payments to those with payment:read …). `kinds` narrows the stream.',
    access: 'patient:read',
    tenant: true,
    params: idParams,
    query: listQuery.extend({ kinds: text().optional().describe(`Comma-separated: ${kinds.join(', ')}`) }),
    responses: { 200: { description: 'A page of the timeline', schema: page(timelineEntry) } },
    handler: async ({ params, query }, req, res) => {
      const { db, ownership } = req.tenant!;
      if (!(await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
      const wanted = query.kinds?.split(',').map((k) => k.trim());
      const unknown = wanted?.filter((k) => !kinds.includes(k)) ?? [];
      if (unknown.length) throw ApiError.badRequest('VALIDATION_ERROR', 'Unknown timeline kind', [{ path: 'query.kinds', message: `unknown: ${unknown.join(', ')}` }]);
      const visible = sources.filter((s) => can(req.auth!.role, s.permission) && (!wanted || wanted.includes(s.kind)));
      const result = await timelinePage(visible, { db, ownership, patientId: params.id, cursor: query.cursor, limit: query.limit });
      await auditRead(db, req, 'patient.timeline.read', [params.id]);
      res.json({ data: result.data.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: result.nextCursor });
    },
  });
}
