/**
 * Sending messages and reading the delivery log. Each recipient becomes one Message row and
 * one delivery workflow (message/<clinicId>/<messageId>); contact details and content stay in
 * the row, the workflow carries ids only.
 */
import { randomUUID } from 'node:crypto';
import { messageDeliveryStart, workflowIds } from '../../domain/temporal';
import { type Message, type MessageAttempt, type Prisma } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { idParams, page } from '../schemas/common';
import { messageListQuery, messageResponse, sendMessageBody, sendMessageResponse } from '../schemas/messages';
import { type z } from '../openapi/zod';
import { auditRead } from '../services/audit';

type Recipient = z.infer<typeof sendMessageBody>['recipients'][number];

export function presentMessage(m: Message & { attempts?: MessageAttempt[] }) {
  return {
    id: m.id,
    patientId: m.patientId,
    category: m.category,
    channels: m.channels,
    status: m.status,
    channel: m.channel,
    provider: m.provider,
    providerMessageId: m.providerMessageId,
    failures: m.failures as Array<Record<string, unknown>>,
    workflowId: m.workflowId,
    createdAt: m.createdAt.toISOString(),
    deliveredAt: m.deliveredAt?.toISOString() ?? null,
    ...(m.attempts
      ? {
          attempts: m.attempts.map((a) => ({
            channel: a.channel,
            provider: a.provider,
            attemptNumber: a.attemptNumber,
            outcome: a.outcome,
            errorKind: a.errorKind,
            errorCode: a.errorCode,
            providerMessageId: a.providerMessageId,
            startedAt: a.startedAt.toISOString(),
            finishedAt: a.finishedAt.toISOString(),
          })),
        }
      : {}),
  };
}

function listWhere(query: z.infer<typeof messageListQuery>): Prisma.MessageWhereInput {
  return {
    ...(query.patientId ? { patientId: query.patientId } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.from || query.to ? { createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
  };
}

/** POST /api/v1/communication/send */
export function sendRoutes(r: ApiRouter, { temporal }: ApiDeps): ApiRouter {
  return r.route({
    method: 'post',
    path: '/send',
    summary: 'Send a message to patients or addresses, over the channels in order of preference',
    access: 'message:send',
    tenant: true,
    body: sendMessageBody,
    responses: { 202: { description: 'Accepted: one delivery workflow per recipient', schema: sendMessageResponse } },
    handler: async ({ body }, req, res) => {
      const { db, clinicId } = req.tenant!;
      const patientIds = body.recipients.flatMap((r) => ('patientId' in r ? [r.patientId] : []));
      const patients = await db.patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, preferredLanguage: true } });
      const missing = patientIds.filter((id) => !patients.some((p) => p.id === id));
      if (missing.length) throw ApiError.notFound('Patient');

      const accepted = [];
      for (const recipient of body.recipients as Recipient[]) {
        const id = randomUUID();
        const patient = 'patientId' in recipient ? patients.find((p) => p.id === recipient.patientId) : undefined;
        const message = await db.message.create({
          data: {
            id,
            clinicId,
            patientId: patient?.id ?? null,
            category: body.category,
            channels: body.channels,
            recipient: ('patientId' in recipient ? {} : recipient) as Prisma.InputJsonValue,
            templateKey: body.template ?? null,
            variables: (body.variables ?? undefined) as Prisma.InputJsonValue | undefined,
            subject: body.subject ?? null,
            body: body.body ?? null,
            language: body.language ?? patient?.preferredLanguage ?? 'en',
            metadata: (body.metadata ?? undefined) as Prisma.InputJsonValue | undefined,
            workflowId: workflowIds.messageDelivery(clinicId, id),
            createdById: req.auth!.userId,
          },
        });
        try {
          await temporal.client.workflow.start('messageDeliveryWorkflow', messageDeliveryStart(clinicId, message.id, message.patientId));
        } catch (err) {
          // No workflow, no message: the row would otherwise wait forever.
          await db.message.delete({ where: { id: message.id } });
          throw err;
        }
        accepted.push({ id: message.id, recipient: 'patientId' in recipient ? { patientId: recipient.patientId } : recipient, workflowId: message.workflowId });
      }
      res.status(202).json({ messages: accepted });
    },
  });
}

/** GET /api/v1/messages and /api/v1/messages/:id: the delivery log. */
export function messageLogRoutes(r: ApiRouter): ApiRouter {
  return r
    .route({
      method: 'get',
      path: '/',
      summary: "The clinic's messages, newest first",
      access: 'message:read',
      tenant: true,
      query: messageListQuery,
      responses: { 200: { description: 'A page of messages', schema: page(messageResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.message.findMany({ where: { ...listWhere(query), AND: [req.tenant!.ownership.message] }, orderBy: { id: 'desc' }, ...pageArgs(query.limit, query.cursor) });
        await auditRead(req.tenant!.db, req, 'patient.messages.list', rows.slice(0, query.limit).flatMap((m) => (m.patientId ? [m.patientId] : [])));
        res.json(toPage(rows, query.limit, presentMessage));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'One message with every delivery attempt',
      access: 'message:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The message and its attempts', schema: messageResponse } },
      handler: async ({ params }, req, res) => {
        const message = await req.tenant!.db.message.findUnique({ where: { id: params.id, AND: [req.tenant!.ownership.message] }, include: { attempts: { orderBy: [{ startedAt: 'asc' }, { attemptNumber: 'asc' }] } } });
        if (!message) throw ApiError.notFound('Message');
        await auditRead(req.tenant!.db, req, 'patient.messages.read', message.patientId ? [message.patientId] : []);
        res.json(presentMessage(message));
      },
    });
}
