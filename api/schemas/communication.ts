import { CHANNELS } from '../../domain/messaging';
import { z } from '../openapi/zod';
import { clinicIdParams } from './common';

export const channelParams = clinicIdParams.extend({ channel: z.enum(CHANNELS) });

const positive = z.number().int().positive();

export const channelSettings = z
  .object({
    rateLimits: z
      .object({ perMinute: positive.optional(), perHour: positive.optional(), perDay: positive.optional(), burst: positive.optional() })
      .default({}),
    /** Attempts per provider before the next provider of the chain is tried. */
    retryAttempts: z.number().int().min(1).max(10).default(3),
    defaultLanguage: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/).default('en'),
    /** Use the platform's global default provider when every provider of the clinic's chain fails. */
    fallbackToGlobal: z.boolean().default(true),
  })
  .openapi('ChannelSettings');

export const putChannelBody = z
  .object({
    enabled: z.boolean().default(true),
    providers: z
      .array(z.object({ provider: z.string().min(1), credentials: z.record(z.string(), z.unknown()) }))
      .min(1)
      .max(4)
      .describe('The provider chain: the primary first, then fallbacks. Send every secret again on each save.')
      .refine((list) => new Set(list.map((p) => p.provider)).size === list.length, { message: 'a provider appears twice in the chain' }),
    settings: channelSettings.default({ rateLimits: {}, retryAttempts: 3, defaultLanguage: 'en', fallbackToGlobal: true }),
  })
  .openapi('PutChannelConfig');

export const channelConfigResponse = z
  .object({
    channel: z.enum(CHANNELS),
    configured: z.boolean().describe('false: the platform\'s global default serves this channel'),
    enabled: z.boolean(),
    providers: z.array(z.object({ provider: z.string(), credentials: z.record(z.string(), z.unknown()).describe('secrets masked as ****abcd') })),
    settings: z.record(z.string(), z.unknown()),
    updatedAt: z.string().nullable(),
  })
  .openapi('ChannelConfig');
