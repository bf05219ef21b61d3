/**
 * Two-factor sign-in with TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, what every
 * authenticator app reads from an otpauth:// URI), for the roles that hold `two-factor:manage`.
 *
 * The secret is sealed with the credential key ring, bound to the user's id, and opened only to
 * check a code. A code is accepted once: the step it belongs to is remembered and no code of that
 * step or an earlier one is taken again. Recovery codes are random (80 bits), shown once and
 * stored as SHA-256 hashes; each one works once. Wrong codes in a row lock the account's codes
 * for a while, on top of the per-client sign-in limits (api/app.ts).
 */
import { createHash } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { type Request } from 'express';
import { type PrismaClient } from '../../prisma/client';
import { type CredentialCipher, totpSecretBinding } from '../../prisma/credential-cipher';
import { type StaffTwoFactor } from '../../prisma/generated/client';
import { ApiError } from '../http/api-error';

export const TOTP_ISSUER = 'ClinicFlow';
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes of the step before and after the current one are accepted too: phone clocks drift. */
const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
export const MAX_FAILED_CODES = 5;
export const LOCK_SECONDS = 15 * 60;


function totp(secret: Secret, label = ''): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, secret, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

/** A new secret (160 bits, as RFC 4226 recommends) and the URI an authenticator app scans. */
export function newTotpSecret(accountLabel: string): { secret: string; otpauthUri: string } {
  const secret = new Secret({ size: 20 });
  return { secret: secret.base32, otpauthUri: totp(secret, accountLabel).toString() };
}

/** The time step a valid code belongs to, or null when the code is wrong. */
export function totpStep(secretBase32: string, code: string, now: Date): number | null {
  const t = totp(Secret.fromBase32(secretBase32));
  const delta = t.validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW });
  return delta === null ? null : t.counter({ timestamp: now.getTime() }) + delta;
}

const normaliseRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();
export const hashRecoveryCode = (code: string) => createHash('sha256').update(normaliseRecoveryCode(code)).digest('hex');

/** Ten codes of 16 base32 characters (80 bits), grouped by four: xxxx-xxxx-xxxx-xxxx. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    new Secret({ size: 10 }).base32
      .toLowerCase()
      .replace(/(.{4})(?!$)/g, '$1-'),
  );
}

export const isTotpCode = (code: string) => new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code);

export type CodeCheck = 'totp' | 'recovery' | 'wrong';

export class TwoFactorService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: CredentialCipher,
    private readonly now: () => Date,
  ) {}

  seal(userId: string, secret: string): string {
    return this.cipher.seal(secret, totpSecretBinding(userId));
  }

  /** Refuses with 429 while the account's codes are locked after too many wrong ones. */
  assertNotLocked(record: Pick<StaffTwoFactor, 'lockedUntil'>): void {
    const now = this.now();
    if (record.lockedUntil && record.lockedUntil > now) {
      const seconds = Math.ceil((record.lockedUntil.getTime() - now.getTime()) / 1000);
      throw new ApiError(429, 'TWO_FACTOR_LOCKED', 'Too many wrong two-factor codes; try again later', undefined, seconds);
    }
  }

  /**
   * Checks a code from the authenticator app (and takes its step, so it cannot be used again) or,
   * when `recovery` allows it, a recovery code (and spends it). A wrong code counts toward the lock.
   */
  async check(record: StaffTwoFactor, code: string, { recovery }: { recovery: boolean }): Promise<CodeCheck> {
    this.assertNotLocked(record);
    const result = await this.match(record, code, recovery);
    if (result === 'wrong') {
      const counted = await this.prisma.staffTwoFactor.update({ where: { id: record.id }, data: { failedAttempts: { increment: 1 } } });
      if (counted.failedAttempts >= MAX_FAILED_CODES) {
        await this.prisma.staffTwoFactor.update({
          where: { id: record.id },
          data: { failedAttempts: 0, lockedUntil: new Date(this.now().getTime() + LOCK_SECONDS * 1000) },
        });
      }
    } else if (record.failedAttempts > 0) {
      await this.prisma.staffTwoFactor.update({ where: { id: record.id }, data: { failedAttempts: 0 } });
    }
    return result;
  }

  private async match(record: StaffTwoFactor, code: string, recovery: boolean): Promise<CodeCheck> {
    if (isTotpCode(code)) {
      const step = totpStep(this.cipher.open(record.secretSealed, totpSecretBinding(record.userId)), code, this.now());
      if (step === null) return 'wrong';
      // Claimed atomically: of two requests with one code, one wins; an earlier step never comes back.
      const claimed = await this.prisma.staffTwoFactor.updateMany({
        where: { id: record.id, OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }] },
        data: { lastUsedStep: step },
      });
      return claimed.count === 1 ? 'totp' : 'wrong';
    }
    if (!recovery) return 'wrong';
    const spent = await this.prisma.staffRecoveryCode.updateMany({
      where: { userId: record.userId, codeHash: hashRecoveryCode(code), usedAt: null },
      data: { usedAt: this.now() },
    });
    return spent.count === 1 ? 'recovery' : 'wrong';
  }

  recoveryCodesLeft(userId: string): Promise<number> {
    return this.prisma.staffRecoveryCode.count({ where: { userId, usedAt: null } });
  }
}

/**
 * Whose sign-in a request is, for the per-client-and-account limit: the e-mail of a password
 * login, the signed-in user of an account change, or the subject of a two-factor challenge. The
 * challenge is not verified here: a forged one buys a fresh bucket but fails its signature check.
 */
export function signInSubject(req: Request): string {
  const body = (req.body ?? {}) as { email?: unknown; challengeToken?: unknown };
  if (body.email !== undefined) return String(body.email).toLowerCase();
  if (req.auth) return `user:${req.auth.userId}`;
  if (typeof body.challengeToken === 'string') {
    const [, payload] = body.challengeToken.split('.');
    try {
      const sub = (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string') return `challenge:${sub.slice(0, 64)}`;
    } catch {
      // Not a JWT: it falls into the client's shared bucket below.
    }
  }
  return '';
}
