/** SMTP as the API and the seed see it: its credential schema (presets resolved) and secret fields. No SDK. */
import { z } from 'zod';
import { type ProviderDescriptor } from '../../types';
import { SMTP_PRESET_NAMES, SMTP_PRESETS } from './presets';

const smtpCredentials = z
  .object({
    preset: z.enum(SMTP_PRESET_NAMES).optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    secure: z.boolean().optional(),
    username: z.string().min(1),
    password: z.string().min(1),
    fromAddress: z.email(),
    fromName: z.string().min(1).max(200).optional(),
  })
  .transform((c, ctx) => {
    const preset = c.preset ? SMTP_PRESETS[c.preset] : undefined;
    const host = c.host ?? preset?.host;
    const port = c.port ?? preset?.port;
    if (!host) ctx.addIssue({ code: 'custom', path: ['host'], message: 'Required unless a preset is chosen' });
    if (!port) ctx.addIssue({ code: 'custom', path: ['port'], message: 'Required unless a preset is chosen' });
    if (!host || !port) return z.NEVER;
    // Port 465 is implicit TLS by convention; anything else starts plain and upgrades with STARTTLS.
    const secure = c.secure ?? (c.port === undefined && preset ? preset.secure : port === 465);
    return { ...c, host, port, secure };
  });
export type SmtpCredentials = z.output<typeof smtpCredentials>;

export const smtpDescriptor: ProviderDescriptor<'email', SmtpCredentials> = {
  provider: 'smtp',
  channel: 'email',
  label: 'SMTP (Gmail, Outlook, SendGrid, Mailgun, Postmark, ZeptoMail or any server)',
  credentials: smtpCredentials,
  secretFields: ['password'],
};
