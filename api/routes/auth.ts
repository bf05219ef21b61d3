import bcrypt from 'bcryptjs';
import { type RequestHandler } from 'express';
import { type z } from 'zod';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { writeAudit } from '../services/audit';
import { loginBody, loginResponse, refreshBody, tokensResponse, type twoFactorChallengeResponse, twoFactorLoginBody } from '../schemas/auth';
import {
  issueTokens,
  revokeByToken,
  rotateRefreshToken,
  signTwoFactorChallenge,
  TWO_FACTOR_CHALLENGE_TTL_SECONDS,
  type TokenSettings,
  verifyTwoFactorChallenge,
} from '../services/tokens';
import { TwoFactorService } from '../services/two-factor';


export function tokenSettings({ config }: Pick<ApiDeps, 'config'>): TokenSettings {
  return { secret: config.JWT_SECRET, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS };
}

export function authRoutes(r: ApiRouter, deps: ApiDeps, loginLimiters: RequestHandler[]): ApiRouter {
  const { prisma } = deps;
  const settings = tokenSettings(deps);
  // Compared against when the email is unknown: at the cost passwords are hashed with, so a miss takes
  // as long as a wrong password and the answer time does not tell which emails have accounts.
  const dummyHash = bcrypt.hashSync('not-a-real-password', deps.config.BCRYPT_COST);
  const twoFactor = new TwoFactorService(prisma, new CredentialCipher(deps.config.CREDENTIAL_ENCRYPTION_KEYS, deps.config.CREDENTIAL_ENCRYPTION_KEY_ID), deps.now ?? (() => new Date()));
  const invalidChallenge = () => ApiError.unauthorized('INVALID_CHALLENGE', 'The two-factor challenge is invalid or expired; sign in with your password again');
  return r
    .route({
      method: 'post',
      path: '/login',
      summary: 'Sign in with email and password',
      description: 'Accounts with two-factor sign-in on get no tokens here: a challenge token (twoFactorRequired: true) to send with a code to POST /auth/login/two-factor.',
      access: 'public',
      body: loginBody,
      before: loginLimiters,
      responses: { 200: { description: 'Signed in, or a two-factor challenge', schema: loginResponse } },
      handler: async ({ body }, _req, res) => {
        const user = await prisma.staffUser.findUnique({ where: { email: body.email }, include: { twoFactor: { select: { id: true, enabledAt: true } } } });
        const matches = await bcrypt.compare(body.password, user?.passwordHash ?? dummyHash);
        if (!user || !matches || !user.active) throw ApiError.unauthorized('INVALID_CREDENTIALS', 'Email or password is wrong');
        if (user.twoFactor?.enabledAt) {
          const challenge: z.infer<typeof twoFactorChallengeResponse> = {
            twoFactorRequired: true,
            challengeToken: signTwoFactorChallenge(settings, user.id, user.twoFactor.id),
            expiresIn: TWO_FACTOR_CHALLENGE_TTL_SECONDS,
          };
          res.json(challenge);
          return;
        }
        await prisma.staffUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        res.json(await issueTokens(prisma, settings, { userId: user.id, role: user.role, clinicId: user.clinicId }));
      },
    })
    .route({
      method: 'post',
      path: '/login/two-factor',
      summary: 'Second sign-in step: the challenge token of POST /auth/login and a code (or a recovery code, which is then spent)',
      access: 'public',
      body: twoFactorLoginBody,
      // The same limits as passwords: wrong codes count as failed sign-ins.
      before: loginLimiters,
      responses: { 200: { description: 'Signed in', schema: tokensResponse } },
      handler: async ({ body }, req, res) => {
        const claims = verifyTwoFactorChallenge(settings, body.challengeToken);
        if (!claims) throw invalidChallenge();
        const record = await prisma.staffTwoFactor.findUnique({ where: { userId: claims.userId }, include: { user: true } });
        if (!record?.enabledAt || record.id !== claims.enrolmentId || !record.user.active) throw invalidChallenge();
        const { user } = record;
        const used = await twoFactor.check(record, body.code, { recovery: true });
        if (used === 'wrong') throw ApiError.unauthorized('INVALID_TWO_FACTOR_CODE', 'The two-factor code is wrong, expired or already used');
        await prisma.$transaction(async (tx) => {
          await tx.staffUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
          if (used === 'recovery') {
            const left = await tx.staffRecoveryCode.count({ where: { userId: user.id, usedAt: null } });
            await writeAudit(tx, req, {
              action: 'two-factor.recovery-code-used',
              entityType: 'StaffUser',
              entityId: user.id,
              clinicId: user.clinicId,
              actor: { userId: user.id, role: user.role },
              after: { recoveryCodesLeft: left },
            });
          }
        });
        res.json(await issueTokens(prisma, settings, { userId: user.id, role: user.role, clinicId: user.clinicId }, { twoFactorVerified: true }));
      },
    })
    .route({
      method: 'post',
      path: '/refresh',
      summary: 'Exchange a refresh token for new tokens (the old one is used up)',
      access: 'public',
      body: refreshBody,
      responses: { 200: { description: 'New tokens', schema: tokensResponse } },
      handler: async ({ body }, _req, res) => {
        res.json(await rotateRefreshToken(prisma, settings, body.refreshToken));
      },
    })
    .route({
      method: 'post',
      path: '/logout',
      summary: 'Sign out: the refresh token and its family stop working',
      access: 'public',
      body: refreshBody,
      responses: { 204: { description: 'Signed out' } },
      handler: async ({ body }, _req, res) => {
        await revokeByToken(prisma, body.refreshToken);
        res.status(204).end();
      },
    });
}
