import { TEMPLATE_KEYS } from '../../domain/message-templates';
import { CHANNELS } from '../../domain/messaging';
import { z } from '../openapi/zod';
import { listQuery } from './common';

const STATUSES = ['PENDING', 'SENDING', 'RETRYING', 'DELIVERED', 'FAILED', 'SUPPRESSED', 'READ', 'BOUNCED', 'EXPIRED'] as const;
/** How long a message sent by staff stays worth delivering, by default and at most. */
const EXPIRES_IN_HOURS = z.number().int().min(1).max(720);

const recipient = z.union([
  z.object({ patientId: z.uuid() }).strict(),
  z
    .object({ email: z.email().optional(), phone: z.string().regex(/^\+?[0-9 ()-]{6,20}$/).optional(), pushToken: z.string().min(10).max(4096).optional() })
    .strict()
    .refine((r) => r.email || r.phone || r.pushToken, { message: 'give a patientId or at least one of email, phone, pushToken' }),
]);

export const sendMessageBody = z
  .object({
    category: z.string().regex(/^[a-z][a-z0-9-]{1,49}$/).describe('e.g. manual, appointment-reminder'),
    recipients: z.array(recipient).min(1).max(100),
    channels: z
      .array(z.enum(CHANNELS))
      .min(1)
      .max(4)
      .refine((c) => new Set(c).size === c.length, { message: 'a channel appears twice' })
      .describe('In order of preference: the next is tried when one cannot deliver'),
    template: z.enum(TEMPLATE_KEYS as [string, ...string[]]).optional(),
    variables: z.record(z.string(), z.union([z.string().max(500), z.number()])).optional(),
    subject: z.string().max(200).optional(),
    body: z.string().max(5000).optional(),
    language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).optional().describe("Defaults to the patient's preferred language"),
    metadata: z.record(z.string(), z.string().max(200)).optional(),
    expiresInHours: EXPIRES_IN_HOURS.default(72).describe('Past this the message is EXPIRED instead of sent late (while providers are down it keeps retrying until then)'),
  })
  .refine((b) => b.template || b.body, { message: 'give a template or a body', path: ['body'] })
  .openapi('SendMessageRequest');

export const sendMessageResponse = z
  .object({ batchId: z.uuid(), messages: z.array(z.object({ id: z.uuid(), recipient: z.record(z.string(), z.string()), workflowId: z.string() })) })
  .openapi('MessagesAccepted');

export const redriveBody = z.object({ expiresInHours: EXPIRES_IN_HOURS.optional().describe('The new deadline, from now; 72 by default') }).strict().default({});

export const messageListQuery = listQuery.extend({
  patientId: z.uuid().optional(),
  status: z
    .string()
    .transform((v) => v.split(','))
    .pipe(z.array(z.enum(STATUSES)).min(1))
    .optional()
    .describe('One status or several, comma-separated: FAILED,EXPIRED lists the dead letters'),
  channel: z.enum(CHANNELS).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const attemptResponse = z.object({
  channel: z.enum(CHANNELS),
  provider: z.string(),
  entryId: z.string().describe("The provider entry of the clinic's chain"),
  label: z.string(),
  round: z.number().int().describe('Which run of the chain: a new one after each pause while RETRYING'),
  attemptNumber: z.number().int(),
  outcome: z.enum(['ACCEPTED', 'FAILED']),
  errorKind: z.string().nullable(),
  errorCode: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
});

export const messageResponse = z
  .object({
    id: z.uuid(),
    patientId: z.uuid().nullable(),
    category: z.string(),
    channels: z.array(z.enum(CHANNELS)),
    status: z.enum(STATUSES),
    channel: z.enum(CHANNELS).nullable(),
    provider: z.string().nullable(),
    providerEntryId: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    failures: z.array(z.record(z.string(), z.unknown())).describe('Why the last run (or, once finished, every run) did not deliver: channel, entry, kind, code, round'),
    workflowId: z.string(),
    batchId: z.uuid().nullable(),
    createdAt: z.string(),
    expiresAt: z.string().describe('Past this the message is EXPIRED, never sent late'),
    nextAttemptAt: z.string().nullable().describe('While RETRYING: when the chain runs again'),
    redrives: z.number().int(),
    deliveredAt: z.string().nullable(),
    attempts: z.array(attemptResponse).optional(),
  })
  .openapi('Message');
