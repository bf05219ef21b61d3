import { CHANNELS, channelSettingsSchema } from '../../domain/messaging';
import { z } from '../openapi/zod';
import { clinicIdParams } from './common';
import { jsonValue, text } from '../../domain/text';

export const channelParams = clinicIdParams.extend({ channel: z.enum(CHANNELS) });

// Used as defined in domain: zod 4 adds .openapi() per instance, and this schema may be built before the extension loads.
export const channelSettings = channelSettingsSchema;

export const putChannelBody = z
  .object({
    enabled: z.boolean().default(true),
    providers: z
      .array(z.object({ provider: text().min(1), credentials: z.record(text(), jsonValue()) }))
      .min(1)
      .max(4)
      .describe('The provider chain: the primary first, then fallbacks. Send every secret again on each save.')
      .refine((list) => new Set(list.map((p) => p.provider)).size === list.length, { message: 'a provider appears twice in the chain' }),
    settings: channelSettings.default(channelSettingsSchema.parse({})),
  })
  .openapi('PutChannelConfig');

export const channelConfigResponse = z
  .object({
    channel: z.enum(CHANNELS),
    configured: z.boolean().describe('false: the platform\'s global default serves this channel'),
    enabled: z.boolean(),
    providers: z.array(z.object({ provider: text(), credentials: z.record(text(), z.unknown()).describe('secrets masked as ****abcd') })),
    settings: z.record(text(), z.unknown()),
    updatedAt: text().nullable(),
  })
  .openapi('ChannelConfig');
