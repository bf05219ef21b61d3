import { CHANNELS, channelSettingsSchema } from '../../domain/messaging';
import { z } from '../openapi/zod';
import { clinicIdParams } from './common';

export const channelParams = clinicIdParams.extend({ channel: z.enum(CHANNELS) });

// Used as defined in domain: zod 4 adds .openapi() per instance, and this schema may be built before the extension loads.
export const channelSettings = channelSettingsSchema;

export const putChannelBody = z
  .object({
    enabled: z.boolean().default(true),
    providers: z
      .array(
        z.object({
          id: z.string().min(1).max(64).optional().describe("An existing entry's id, to keep its delivery history and health; omit for a new entry"),
          label: z.string().trim().min(1).max(60).optional().describe('The clinic\'s name for the entry, e.g. "Gmail backup"; by default the provider\'s'),
          provider: z.string().min(1),
          credentials: z.record(z.string(), z.unknown()),
        }),
      )
      .min(1)
      .max(4)
      .describe('The provider chain: the primary first, then fallbacks. A provider may appear more than once (two SMTP accounts). Send every secret again on each save.')
      .superRefine((list, ctx) => {
        const seen = { id: new Set<string>(), label: new Set<string>() };
        list.forEach((entry, i) => {
          for (const field of ['id', 'label'] as const) {
            const value = entry[field]?.toLowerCase();
            if (value === undefined) continue;
            if (seen[field].has(value)) ctx.addIssue({ code: 'custom', path: [i, field], message: `two entries have the ${field} ${entry[field]}` });
            seen[field].add(value);
          }
        });
      }),
    settings: channelSettings.default(channelSettingsSchema.parse({})),
  })
  .openapi('PutChannelConfig');

export const channelConfigResponse = z
  .object({
    channel: z.enum(CHANNELS),
    configured: z.boolean().describe('false: the platform\'s global default serves this channel'),
    enabled: z.boolean(),
    providers: z.array(
      z.object({ id: z.string(), label: z.string(), provider: z.string(), credentials: z.record(z.string(), z.unknown()).describe('secrets masked as ****abcd') }),
    ),
    settings: z.record(z.string(), z.unknown()),
    updatedAt: z.string().nullable(),
  })
  .openapi('ChannelConfig');
