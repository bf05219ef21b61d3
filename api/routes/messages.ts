/**
 * Sending messages and reading the delivery log. Each recipient becomes one Message row and one
 * delivery workflow (message/<clinicId>/<messageId>); contact details and content stay in the
 * row, the workflow carries ids only. A send request's messages are committed together with
 * the request (a MessageBatch) and started by one batch workflow: accepted whole or not at all.
 */
import { randomUUID } from 'node:crypto';
import { Prisma as PrismaNs, type Message, type MessageAttempt, type Prisma } from '../../prisma/generated/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { messageBatchStart, messageDeliveryStart, workflowIds } from '../../domain/temporal';
import { type ApiDeps } from '../deps';
import { startWorkflow } from '../services/start-workflow';
import { ApiError } from '../http/api-error';
import { idempotencyKeyReused, optionalIdempotencyKey, requestFingerprint } from '../http/idempotency-key';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { idParams, page } from '../schemas/common';
import { messageListQuery, messageResponse, redriveBody, sendMessageBody, sendMessageResponse } from '../schemas/messages';
import { type z } from '../openapi/zod';
import { type TenantDb } from '../../prisma/tenant';
import { auditRead } from '../services/audit';

type Recipient = z.infer<typeof sendMessageBody>['recipients'][number];
const HOUR_MS = 3_600_000;
/** A redriven message until its delivery ends: a second click finds it here and changes nothing. */
const ON_ITS_WAY: string[] = ['PENDING', 'SENDING', 'RETRYING'];

export function presentMessage(m: Message & { attempts?: MessageAttempt[] }) {
  return {
    id: m.id,
    patientId: m.patientId,
    category: m.category,
    channels: m.channels,
    status: m.status,
    channel: m.channel,
    provider: m.provider,
    providerEntryId: m.providerEntryId,
    providerMessageId: m.providerMessageId,
    failures: m.failures as Array<Record<string, unknown>>,
    workflowId: m.workflowId,
    batchId: m.batchId,
    createdAt: m.createdAt.toISOString(),
    expiresAt: m.expiresAt.toISOString(),
    nextAttemptAt: m.nextAttemptAt?.toISOString() ?? null,
    redrives: m.redrives,
    deliveredAt: m.deliveredAt?.toISOString() ?? null,
    ...(m.attempts
      ? {
          attempts: m.attempts.map((a) => ({
            channel: a.channel,
            provider: a.provider,
            entryId: a.providerEntryId,
            label: a.providerLabel,
            round: a.round,
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
    ...(query.status ? { status: { in: query.status } } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.from || query.to ? { createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
  };
}

const accepted = (messages: Array<Pick<Message, 'id' | 'patientId' | 'recipient' | 'workflowId'>>, batchId: string) => ({
  batchId,
  messages: messages.map((m) => ({ id: m.id, recipient: m.patientId ? { patientId: m.patientId } : (m.recipient as Record<string, string>), workflowId: m.workflowId })),
});

/** Starts the request's batch workflow; one that exists already (a retried request) is fine. */
async function startBatch(deps: ApiDeps, clinicId: string, batchId: string): Promise<void> {
  await startWorkflow(deps, 'messageBatchWorkflow', { ...messageBatchStart(clinicId, batchId), workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE }, 'The messages could not be queued; nothing was sent. Try again later').catch(
    (err: unknown) => {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    },
  );
}

/** The earlier request with this key: the same answer, or 422 when the key came with another request. */
async function replay(deps: ApiDeps, db: TenantDb, clinicId: string, key: string, fingerprint: string) {
  const batch = await db.messageBatch.findFirst({ where: { idempotencyKey: key }, include: { messages: { orderBy: { id: 'asc' } } } });
  if (!batch) return null;
  if (batch.fingerprint !== fingerprint) throw idempotencyKeyReused();
  await startBatch(deps, clinicId, batch.id);
  return accepted(batch.messages, batch.id);
}

/** POST /api/v1/communication/send */
export function sendRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r.route({
    method: 'post',
    path: '/send',
    summary: 'Send a message to patients or addresses, over the channels in order of preference',
    description:
      'Every recipient gets a message, or none does. With an Idempotency-Key, a retry of the same request answers the same message ids and sends nothing new; the same key with another body answers 422 IDEMPOTENCY_KEY_REUSED.',
    access: 'message:send',
    tenant: true,
    body: sendMessageBody,
    responses: {
      202: { description: 'Accepted: one delivery workflow per recipient', schema: sendMessageResponse },
      422: { description: 'IDEMPOTENCY_KEY_REUSED' },
      503: { description: 'Temporal is unavailable: nothing was queued' },
    },
    handler: async ({ body }, req, res) => {
      const { db, clinicId } = req.tenant!;
      const key = optionalIdempotencyKey(req);
      const fingerprint = requestFingerprint(req);
      if (key) {
        const earlier = await replay(deps, db, clinicId, key, fingerprint);
        if (earlier) return void res.status(202).json(earlier);
      }

      const patientIds = body.recipients.flatMap((r) => ('patientId' in r ? [r.patientId] : []));
      // Sends to addresses only (a newsletter to a list) name no patient to look up.
      const patients = patientIds.length ? await db.patient.findMany({ where: { id: { in: patientIds } }, select: { id: true, preferredLanguage: true } }) : [];
      const missing = patientIds.filter((id) => !patients.some((p) => p.id === id));
      if (missing.length) throw ApiError.notFound('Patient');

      const batchId = randomUUID();
      const expiresAt = new Date(Date.now() + body.expiresInHours * HOUR_MS);
      // Ids in ascending order of the recipients: a replay read back by id answers in the request's order.
      const ids = body.recipients.map(() => randomUUID()).sort();
      const rows: Prisma.MessageCreateManyInput[] = (body.recipients as Recipient[]).map((recipient, i) => {
        const id = ids[i]!;
        const patient = 'patientId' in recipient ? patients.find((p) => p.id === recipient.patientId) : undefined;
        return {
          id,
          clinicId,
          batchId,
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
          expiresAt,
        };
      });
      try {
        await db.$transaction([
          db.messageBatch.create({ data: { id: batchId, clinicId, idempotencyKey: key ?? null, fingerprint, workflowId: workflowIds.messageBatch(clinicId, batchId), createdById: req.auth!.userId } }),
          db.message.createMany({ data: rows }),
        ]);
      } catch (err) {
        // The same key sent twice at once: the other request won, and its answer is this one's.
        if (key && err instanceof PrismaNs.PrismaClientKnownRequestError && err.code === 'P2002') {
          const earlier = await replay(deps, db, clinicId, key, fingerprint);
          if (earlier) return void res.status(202).json(earlier);
        }
        throw err;
      }
      try {
        await startBatch(deps, clinicId, batchId);
      } catch (err) {
        // Not queued: nothing of the request stays behind, so a retry (with or without the key) starts afresh.
        await db.$transaction([db.message.deleteMany({ where: { batchId } }), db.messageBatch.deleteMany({ where: { id: batchId } })]);
        throw err;
      }
      res.status(202).json(accepted(rows.map((m) => ({ id: m.id!, patientId: m.patientId ?? null, recipient: m.recipient as Prisma.JsonValue, workflowId: m.workflowId })), batchId));
    },
  });
}

/** GET /api/v1/messages, /api/v1/messages/:id and POST /api/v1/messages/:id/retry: the delivery log and its dead letters. */
export function messageLogRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'get',
      path: '/',
      summary: "The clinic's messages, newest first",
      description: '`status=FAILED,EXPIRED` lists the dead letters (what never arrived), each with its failures.',
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
    })
    .route({
      method: 'post',
      path: '/:id/retry',
      summary: 'Run a message that FAILED or EXPIRED again, under its own id',
      description:
        'The message gets a new deadline (`expiresInHours`, 72 by default) and its delivery runs again; its attempts keep counting rounds. A second click while it runs changes nothing.',
      access: 'message:redrive',
      tenant: true,
      params: idParams,
      body: redriveBody,
      responses: {
        202: { description: 'Running again', schema: messageResponse },
        409: { description: 'NOT_RETRYABLE: the message was delivered, suppressed or is still on its way' },
      },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const message = await db.message.findUnique({ where: { id: params.id } });
        if (!message) throw ApiError.notFound('Message');
        // Conditional: of two clicks at once, one moves it; the other finds it on its way again.
        const moved = await db.message.updateMany({
          where: { id: message.id, status: { in: ['FAILED', 'EXPIRED'] } },
          data: { status: 'PENDING', nextAttemptAt: null, expiresAt: new Date(Date.now() + (body.expiresInHours ?? 72) * HOUR_MS), redrives: { increment: 1 } },
        });
        const now = moved.count ? 'PENDING' : (await db.message.findUniqueOrThrow({ where: { id: message.id } })).status;
        if (!ON_ITS_WAY.includes(now)) throw ApiError.conflict('NOT_RETRYABLE', `The message is ${now}: only FAILED or EXPIRED messages are run again`);
        // A finished run may be followed by a new one; a running one is left alone.
        const start = { ...messageDeliveryStart(clinicId, message.id, message.patientId), workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE };
        await startWorkflow(deps, 'messageDeliveryWorkflow', start, 'The message could not be run again now; try again later').catch((err: unknown) => {
          if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        });
        res.status(202).json(presentMessage(await db.message.findUniqueOrThrow({ where: { id: message.id } })));
      },
    });
}
