/**
 * How a provider chain is stored in CommunicationConfig.providers, and the only code that turns
 * credentials into that form and back: seal (API, on save), mask (API, on read), open
 * (activities, right before a send) and reseal (key rotation).
 */
import { z } from 'zod';
import { type CredentialCipher, secretBinding, secretHint } from './credential-cipher';

export const storedProviderSchema = z.object({
  /** The entry's stable id: attempts, circuits and health are kept by it. */
  id: z.string(),
  /** The clinic's name for the entry ("SendGrid relay", "Gmail backup"). */
  label: z.string(),
  provider: z.string(),
  /** Non-secret credential fields (host, sender, account id…). */
  settings: z.record(z.string(), z.unknown()),
  /** Secret fields, each sealed on its own. */
  secrets: z.record(z.string(), z.string()),
  /** Last characters of each long secret, for masked display. */
  hints: z.record(z.string(), z.string()),
});
export type StoredProvider = z.infer<typeof storedProviderSchema>;
export const storedProvidersSchema = z.array(storedProviderSchema);

export const MASK = '****';

export function sealProvider(
  cipher: CredentialCipher,
  where: { clinicId: string; channel: string },
  entry: { id: string; label: string; provider: string },
  credentials: Record<string, unknown>,
  secretFields: readonly string[],
): StoredProvider {
  const { provider } = entry;
  const stored: StoredProvider = { id: entry.id, label: entry.label, provider, settings: {}, secrets: {}, hints: {} };
  for (const [field, value] of Object.entries(credentials)) {
    if (value === undefined) continue;
    if (secretFields.includes(field)) {
      const secret = String(value);
      stored.secrets[field] = cipher.seal(secret, secretBinding(where.clinicId, where.channel, provider, field));
      stored.hints[field] = secretHint(secret);
    } else {
      stored.settings[field] = value;
    }
  }
  return stored;
}

/** The credentials as the admin entered them, secrets shown as "****abcd". */
export function maskProvider(stored: StoredProvider): { id: string; label: string; provider: string; credentials: Record<string, unknown> } {
  const masked: Record<string, unknown> = { ...stored.settings };
  for (const field of Object.keys(stored.secrets)) masked[field] = `${MASK}${stored.hints[field] ?? ''}`;
  return { id: stored.id, label: stored.label, provider: stored.provider, credentials: masked };
}

/** Plain credentials for a provider adapter. Only activities call this. */
export function openProvider(cipher: CredentialCipher, where: { clinicId: string; channel: string }, stored: StoredProvider): Record<string, unknown> {
  const credentials: Record<string, unknown> = { ...stored.settings };
  for (const [field, sealed] of Object.entries(stored.secrets)) {
    credentials[field] = cipher.open(sealed, secretBinding(where.clinicId, where.channel, stored.provider, field));
  }
  return credentials;
}

/** Re-seals secrets made with an older key under the current one; returns how many changed. */
export function resealStale(cipher: CredentialCipher, where: { clinicId: string; channel: string }, providers: StoredProvider[]): { providers: StoredProvider[]; resealed: number } {
  let resealed = 0;
  const next = providers.map((stored) => {
    const secrets: Record<string, string> = {};
    for (const [field, sealed] of Object.entries(stored.secrets)) {
      if (!cipher.isStale(sealed)) {
        secrets[field] = sealed;
        continue;
      }
      const binding = secretBinding(where.clinicId, where.channel, stored.provider, field);
      secrets[field] = cipher.seal(cipher.open(sealed, binding), binding);
      resealed++;
    }
    return { ...stored, secrets };
  });
  return { providers: next, resealed };
}
