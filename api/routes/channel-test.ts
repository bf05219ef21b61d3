/**
 * POST /clinics/:clinicId/communication/:channel/test: verifies the channel's provider
 * credentials and sends a test message, answering with what happened. The API never opens the
 * clinic's sealed credentials: it records the test message and runs the channel test workflow,
 * whose activities do, then waits (bounded) for the workflow's answer.
 */
import { randomUUID } from 'node:crypto';
import { type WorkflowHandle } from '@temporalio/client';
import { CHANNEL_TEST_CATEGORY, CHANNEL_TEST_TEMPLATE, type ChannelTestResult } from '../../domain/channel-test';
import { globalChannelEntry, servingProviders } from '../../domain/serving-providers';
import { CHANNELS, type Channel } from '../../domain/messaging';
import { channelTestStart, workflowIds } from '../../domain/temporal';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { type Prisma } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { startWorkflow } from '../services/start-workflow';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { email } from '../schemas/common';
import { channelParams } from '../schemas/communication';
import { writeAudit } from '../services/audit';
import { text } from '../../domain/text';

/** How long the request waits for the test; past it the test goes on and lands in the message log. */
export const CHANNEL_TEST_WAIT_MS = 60_000;

const phone = z
  .string()
  .transform((s) => s.replace(/[\s().-]/g, ''))
  .pipe(text().regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in international format, e.g. +447700900123'));
const pushToken = text().regex(/^[A-Za-z0-9_:.-]{20,4096}$/, 'must be a device registration token');

/** Where the test message goes, in the Message row's recipient form, per channel. */
const recipientFor: Record<Channel, z.ZodType<Record<string, string>, string>> = {
  email: email.transform((to) => ({ email: to })),
  sms: phone.transform((to) => ({ phone: to })),
  whatsapp: phone.transform((to) => ({ phone: to })),
  push: pushToken.transform((to) => ({ pushToken: to })),
};

const channelTestBody = z
  .object({ to: text().trim().min(1).max(4096).describe('An email address, an E.164 phone number or a push token, as the channel needs') })
  .openapi('ChannelTestRequest');

const failure = z.object({ channel: z.enum(CHANNELS), provider: text().optional(), kind: text(), code: text().optional() });

const channelTestResponse = z
  .object({
    messageId: z.uuid(),
    workflowId: text(),
    verification: z
      .array(z.object({ provider: text(), source: z.enum(['clinic', 'global']), ok: z.boolean(), kind: text().optional(), code: text().optional() }))
      .describe('Each provider serving the channel, in chain order: credentials and connectivity, nothing sent'),
    verificationError: text().optional().describe('Set when the verification itself could not run'),
    delivery: z
      .object({ status: z.enum(['DELIVERED', 'FAILED', 'SUPPRESSED']), channel: z.enum(CHANNELS).nullable(), provider: text().nullable(), failures: z.array(failure) })
      .describe('The test message, delivered like any message: provider chain, fallbacks, delivery log'),
  })
  .openapi('ChannelTestResult');

async function waitForResult(deps: ApiDeps, handle: WorkflowHandle, ids: { messageId: string; workflowId: string }): Promise<ChannelTestResult> {
  const signal = AbortSignal.timeout(CHANNEL_TEST_WAIT_MS);
  try {
    return (await deps.temporal.client.withAbortSignal(signal, () => handle.result())) as ChannelTestResult;
  } catch (err) {
    if (signal.aborted) throw new ApiError(504, 'CHANNEL_TEST_TIMEOUT', 'The channel test is still running; its outcome will appear in the message log', ids);
    deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message }, ...ids }, 'channel test did not complete');
    throw new ApiError(503, 'CHANNEL_TEST_UNAVAILABLE', 'The channel test could not be completed; try again later', ids);
  }
}

/** Shorter than the wait for the answer, so a channel that stays down answers EXPIRED rather than 504. */
const CHANNEL_TEST_MESSAGE_TTL_MS = 45_000;

export function channelTestRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r.route({
    method: 'post',
    path: '/:channel/test',
    summary: "Verify the channel's provider credentials and send a test message",
    description:
      'Checks every provider serving the channel (the clinic\'s chain, then the global default it falls back to) and delivers the "test-message" template to `to` through the normal delivery. Waits up to 60 s; past that answers 504 and the outcome appears in the message log.',
    access: 'communication:manage',
    tenant: true,
    params: channelParams,
    body: channelTestBody,
    responses: {
      200: { description: 'What the verification and the delivery did', schema: channelTestResponse },
      422: { description: 'No provider (clinic or global) serves the channel' },
    },
    handler: async ({ params, body }, req, res) => {
      const { db, clinicId } = req.tenant!;
      const recipient = recipientFor[params.channel].safeParse(body.to);
      if (!recipient.success) throw ApiError.badRequest('VALIDATION_ERROR', 'Invalid request body', recipient.error.issues.map((i) => ({ path: 'body.to', message: i.message })));

      const config = await db.communicationConfig.findFirst({ where: { channel: params.channel } });
      const clinicChain = config && { providers: storedProvidersSchema.parse(config.providers), settings: config.settings };
      const { providers, settings } = servingProviders(clinicChain, globalChannelEntry(deps.config.GLOBAL_MESSAGING_CONFIG, params.channel));
      if (providers.length === 0) throw ApiError.unprocessable('NO_PROVIDER', `No ${params.channel} provider is configured for this clinic or globally`);

      const messageId = randomUUID();
      const start = channelTestStart(clinicId, params.channel, messageId);
      await db.$transaction(async (tx) => {
        await tx.message.create({
          data: {
            id: messageId,
            clinicId,
            category: CHANNEL_TEST_CATEGORY,
            channels: [params.channel],
            recipient: recipient.data as Prisma.InputJsonValue,
            templateKey: CHANNEL_TEST_TEMPLATE,
            language: settings.defaultLanguage,
            metadata: { channelTestWorkflowId: start.workflowId },
            // An admin waits for the answer: the test message is not worth retrying for hours.
            expiresAt: new Date(Date.now() + CHANNEL_TEST_MESSAGE_TTL_MS),
            workflowId: workflowIds.messageDelivery(clinicId, messageId),
            createdById: req.auth!.userId,
          },
        });
        // Which providers were put to the test, and by whom; the address stays in the message row.
        const tested = providers.map((p) => `${p.source}:${p.label}`);
        await writeAudit(tx, req, { action: 'communication.test', entityType: 'Message', entityId: messageId, clinicId, after: { channel: params.channel, providers: tested } });
      });
      const handle = await startWorkflow(deps, 'channelTestWorkflow', start, 'The channel test could not be started; try again later').catch(async (err: unknown) => {
        // No workflow, no message: the row would otherwise wait forever.
        await db.message.delete({ where: { id: messageId } });
        throw err;
      });

      const result = await waitForResult(deps, handle, { messageId, workflowId: start.workflowId });
      const { delivery } = result;
      res.json({
        messageId,
        workflowId: start.workflowId,
        verification: result.verification,
        ...(result.verificationError ? { verificationError: result.verificationError } : {}),
        delivery: { status: delivery.status, channel: delivery.channel ?? null, provider: delivery.provider ?? null, failures: delivery.failures },
      });
    },
  });
}
