/**
 * The signing secret a clinic gave for one provider's webhooks.
 *
 * This is the ONE place the API opens a sealed credential (everywhere else it only seals and
 * masks; sending, which needs the full credentials, stays in activities). A webhook signature can
 * only be checked with the shared secret it was made with, so the API has to hold that secret for
 * the length of one request. It opens just the signing field of the matching provider entry,
 * never the entry's other secrets (access tokens, API secrets), and never logs or returns it.
 */
import { type Channel } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';
import { openProvider, storedProvidersSchema } from '../../prisma/communication-config';
import { type CredentialCipher } from '../../prisma/credential-cipher';
import { scopedToClinic } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';

export interface SigningSecret {
  /** The channel whose provider entry holds the secret (Twilio, Vonage and MessageBird serve SMS and WhatsApp). */
  channel: Channel;
  secret: string;
  /** The entry's non-secret fields (e.g. Meta's phoneNumberId). */
  settings: Record<string, unknown>;
}

export async function signingSecrets(prisma: PrismaClient, cipher: CredentialCipher, clinicId: string, provider: string, field: string): Promise<SigningSecret[]> {
  // Scoped to the path's clinic: a clinic that does not exist and one without this provider look the same.
  const configs = await scopedToClinic(prisma, clinicId).communicationConfig.findMany();
  const found: SigningSecret[] = [];
  for (const config of configs) {
    for (const stored of storedProvidersSchema.parse(config.providers)) {
      const sealed = stored.secrets[field];
      if (stored.provider !== provider || sealed === undefined) continue;
      // Only the one field is handed to openProvider, so only it is decrypted.
      const opened = openProvider(cipher, { clinicId, channel: config.channel }, { ...stored, secrets: { [field]: sealed } });
      const secret = opened[field];
      if (typeof secret === 'string' && secret) found.push({ channel: config.channel, secret, settings: stored.settings });
    }
  }
  return found;
}

/** Same answer for an unknown clinic and a clinic without this provider's webhook secret: neither is revealed. */
export async function requireSigningSecrets(...args: Parameters<typeof signingSecrets>): Promise<SigningSecret[]> {
  const found = await signingSecrets(...args);
  if (found.length === 0) throw ApiError.notFound('Webhook');
  return found;
}

export const invalidSignature = () => ApiError.unauthorized('INVALID_SIGNATURE', 'The webhook signature is missing, stale or does not match');
