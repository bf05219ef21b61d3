/**
 * Seals clinics' provider secrets (SMTP passwords, API tokens, private keys) at rest with
 * AES-256-GCM: random IV, auth tag, and the key id, so keys can rotate (scripts/rotate-credential-keys.ts
 * re-seals every secret under the current key). The API seals what admins submit; only
 * activities open secrets, right before calling a provider.
 *
 * Each secret is bound to where it belongs (clinic, channel, provider, field) as additional
 * authenticated data: a sealed value copied into another clinic's row does not open.
 *
 * Format: v1.<keyId>.<iv>.<ciphertext>.<tag>, each part base64url.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

export class CredentialCipherError extends Error {}

export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    keys: ReadonlyMap<string, string>,
    readonly currentKeyId: string,
  ) {
    for (const [id, base64] of keys) {
      if (id.includes('.')) throw new CredentialCipherError(`Credential key id ${id} must not contain "."`);
      const key = Buffer.from(base64, 'base64');
      if (key.length !== 32) throw new CredentialCipherError(`Credential encryption key ${id} must be 32 bytes (base64 of 32 random bytes)`);
      this.keys.set(id, key);
    }
    if (!this.keys.has(currentKeyId)) throw new CredentialCipherError(`Credential encryption key ${currentKeyId} is not in the key ring`);
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId) as Buffer, iv);
    cipher.setAAD(Buffer.from(boundTo));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.currentKeyId, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string, boundTo: string): string {
    const [version, keyId, iv, ciphertext, tag, ...rest] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || ciphertext === undefined || !tag || rest.length) throw new CredentialCipherError('Not a sealed credential');
    const key = this.keys.get(keyId);
    if (!key) throw new CredentialCipherError(`Credential key ${keyId} is not in the key ring`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // Wrong key, tampered data or a secret moved to another place: all look alike, on purpose.
      throw new CredentialCipherError('A sealed credential could not be opened');
    }
  }

  /** Whether a sealed value was made with an older key. */
  isStale(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentKeyId;
  }
}

/** Where a secret belongs; part of its seal. */
export function secretBinding(clinicId: string, channel: string, provider: string, field: string): string {
  return `${clinicId}/${channel}/${provider}/${field}`;
}

/** Where a staff account's two-factor (TOTP) secret belongs: it opens for that account only. */
export function totpSecretBinding(userId: string): string {
  return `staff/${userId}/totp`;
}

/** The last characters of a secret, shown masked ("****abcd") so admins recognise which one is stored. */
export function secretHint(secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : '';
}
