/**
 * Two-factor sign-in of the caller's own account (roles with `two-factor:manage`): start an
 * enrolment (the secret, shown once), confirm it with a first code (two-factor is on, recovery
 * codes shown once, every earlier session signed out), renew the recovery codes, turn it off.
 * Sign-in with a code is POST /auth/login/two-factor (api/routes/auth.ts).
 */
import bcrypt from 'bcryptjs';
import { type RequestHandler } from 'express';
import { type z } from 'zod';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import {
  recoveryCodesResponse,
  twoFactorCodeBody,
  twoFactorConfirmBody,
  twoFactorDisableBody,
  twoFactorEnrolmentResponse,
  twoFactorStartBody,
  twoFactorStatusResponse,
} from '../schemas/auth';
import { writeAudit } from '../services/audit';
import { revokeAllForUser } from '../services/tokens';
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret, TOTP_DIGITS, TOTP_PERIOD_SECONDS, TwoFactorService } from '../services/two-factor';
import { type PrismaClient } from '../../prisma/client';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function replaceRecoveryCodes(tx: Tx, user: { id: string; clinicId: string | null }): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.staffRecoveryCode.deleteMany({ where: { userId: user.id } });
  await tx.staffRecoveryCode.createMany({ data: codes.map((code) => ({ userId: user.id, clinicId: user.clinicId, codeHash: hashRecoveryCode(code) })) });
  return codes;
}

export function twoFactorRoutes(r: ApiRouter, deps: ApiDeps, limiters: RequestHandler[]): ApiRouter {
  const { prisma, config } = deps;
  const now = deps.now ?? (() => new Date());
  const twoFactor = new TwoFactorService(prisma, new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID), now);

  const caller = async (userId: string) => {
    const user = await prisma.staffUser.findUniqueOrThrow({ where: { id: userId }, include: { twoFactor: true } });
    return { user, record: user.twoFactor };
  };
  /** Account changes ask for the password again: a stolen access token alone cannot make them. */
  const requirePassword = async (password: string, passwordHash: string) => {
    if (!(await bcrypt.compare(password, passwordHash))) throw ApiError.forbidden('INVALID_PASSWORD', 'The password is wrong');
  };
  const wrongCode = () => ApiError.forbidden('INVALID_TWO_FACTOR_CODE', 'The two-factor code is wrong, expired or already used');
  const notEnabled = () => ApiError.conflict('TWO_FACTOR_NOT_ENABLED', 'Two-factor sign-in is not on for this account');
  const audit = (req: Parameters<typeof writeAudit>[1], tx: Tx, user: { id: string; clinicId: string | null }, action: string, after: object) =>
    writeAudit(tx, req, { action, entityType: 'StaffUser', entityId: user.id, clinicId: user.clinicId, after });

  return r
    .route({
      method: 'get',
      path: '/',
      summary: "Whether two-factor sign-in is on for the caller's account",
      access: 'two-factor:manage',
      responses: { 200: { description: 'Two-factor status', schema: twoFactorStatusResponse } },
      handler: async (_input, req, res) => {
        const { record } = await caller(req.auth!.userId);
        const status: z.infer<typeof twoFactorStatusResponse> = {
          enabled: Boolean(record?.enabledAt),
          pending: Boolean(record && !record.enabledAt),
          enabledAt: record?.enabledAt?.toISOString() ?? null,
          recoveryCodesLeft: record?.enabledAt ? await twoFactor.recoveryCodesLeft(req.auth!.userId) : 0,
        };
        res.json(status);
      },
    })
    .route({
      method: 'post',
      path: '/enrolment',
      summary: 'Start turning two-factor sign-in on: a new secret for an authenticator app (shown once)',
      description: 'Starting again replaces a pending enrolment. Two-factor is on only after POST /auth/two-factor/enrolment/confirm.',
      access: 'two-factor:manage',
      body: twoFactorStartBody,
      before: limiters,
      responses: { 201: { description: 'Enrolment started', schema: twoFactorEnrolmentResponse } },
      handler: async ({ body }, req, res) => {
        const { user, record } = await caller(req.auth!.userId);
        await requirePassword(body.password, user.passwordHash);
        if (record?.enabledAt) throw ApiError.conflict('TWO_FACTOR_ALREADY_ENABLED', 'Two-factor sign-in is already on; turn it off first to use a new secret');
        const { secret, otpauthUri } = newTotpSecret(user.email);
        const secretSealed = twoFactor.seal(user.id, secret);
        await prisma.staffTwoFactor.upsert({
          where: { userId: user.id },
          create: { userId: user.id, clinicId: user.clinicId, secretSealed },
          update: { secretSealed, lastUsedStep: null, failedAttempts: 0, lockedUntil: null },
        });
        const enrolment: z.infer<typeof twoFactorEnrolmentResponse> = { secret, otpauthUri, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS };
        res.status(201).json(enrolment);
      },
    })
    .route({
      method: 'post',
      path: '/enrolment/confirm',
      summary: "Turn two-factor sign-in on with the authenticator app's first code: recovery codes (shown once); every other session is signed out",
      access: 'two-factor:manage',
      body: twoFactorConfirmBody,
      before: limiters,
      responses: { 200: { description: 'Two-factor sign-in is on', schema: recoveryCodesResponse } },
      handler: async ({ body }, req, res) => {
        const { user, record } = await caller(req.auth!.userId);
        if (!record) throw ApiError.conflict('TWO_FACTOR_NOT_PENDING', 'No enrolment was started: POST /auth/two-factor/enrolment first');
        if (record.enabledAt) throw ApiError.conflict('TWO_FACTOR_ALREADY_ENABLED', 'Two-factor sign-in is already on');
        if ((await twoFactor.check(record, body.code, { recovery: false })) === 'wrong') throw wrongCode();
        const recoveryCodes = await prisma.$transaction(async (tx) => {
          // Only a pending enrolment turns on: of two confirmations, one wins.
          const enabled = await tx.staffTwoFactor.updateMany({ where: { id: record.id, enabledAt: null }, data: { enabledAt: now() } });
          if (enabled.count === 0) throw ApiError.conflict('TWO_FACTOR_ALREADY_ENABLED', 'Two-factor sign-in is already on');
          const codes = await replaceRecoveryCodes(tx, user);
          // Refresh tokens from before did not pass two-factor: they end here (access tokens run out within their TTL).
          await revokeAllForUser(tx, user.id);
          await audit(req, tx, user, 'two-factor.enable', { twoFactorEnabled: true, recoveryCodes: codes.length });
          return codes;
        });
        res.json({ recoveryCodes });
      },
    })
    .route({
      method: 'post',
      path: '/recovery-codes',
      summary: 'Replace the recovery codes with new ones (shown once); the old ones stop working',
      access: 'two-factor:manage',
      body: twoFactorCodeBody,
      before: limiters,
      responses: { 200: { description: 'New recovery codes', schema: recoveryCodesResponse } },
      handler: async ({ body }, req, res) => {
        const { user, record } = await caller(req.auth!.userId);
        if (!record?.enabledAt) throw notEnabled();
        const used = await twoFactor.check(record, body.code, { recovery: true });
        if (used === 'wrong') throw wrongCode();
        const recoveryCodes = await prisma.$transaction(async (tx) => {
          if (used === 'recovery') await audit(req, tx, user, 'two-factor.recovery-code-used', { purpose: 'renew-recovery-codes' });
          const codes = await replaceRecoveryCodes(tx, user);
          await audit(req, tx, user, 'two-factor.recovery-codes-renewed', { recoveryCodes: codes.length });
          return codes;
        });
        res.json({ recoveryCodes });
      },
    })
    .route({
      method: 'post',
      path: '/disable',
      summary: 'Turn two-factor sign-in off, with the password and a current code (or a recovery code)',
      access: 'two-factor:manage',
      body: twoFactorDisableBody,
      before: limiters,
      responses: { 204: { description: 'Two-factor sign-in is off' } },
      handler: async ({ body }, req, res) => {
        const { user, record } = await caller(req.auth!.userId);
        if (!record?.enabledAt) throw notEnabled();
        await requirePassword(body.password, user.passwordHash);
        const used = await twoFactor.check(record, body.code, { recovery: true });
        if (used === 'wrong') throw wrongCode();
        await prisma.$transaction(async (tx) => {
          if (used === 'recovery') await audit(req, tx, user, 'two-factor.recovery-code-used', { purpose: 'disable' });
          await tx.staffRecoveryCode.deleteMany({ where: { userId: user.id } });
          await tx.staffTwoFactor.delete({ where: { id: record.id } });
          await audit(req, tx, user, 'two-factor.disable', { twoFactorEnabled: false });
        });
        res.status(204).end();
      },
    });
}
