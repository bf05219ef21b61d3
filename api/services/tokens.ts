/**
 * Access tokens: short-lived JWTs (HS256) carrying userId, role and clinicId.
 * Refresh tokens: random opaque strings stored only as SHA-256 hashes. Each login starts a
 * family; refreshing uses the token up and issues the next one in the family. Presenting a
 * used token again means it leaked, so the whole family is revoked.
 */
import { createHash, createSecretKey, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { ROLES } from '../../domain/roles';
import { type PrismaClient } from '../../prisma/client';
import { type Prisma } from '../../prisma/generated/client';
import { ApiError } from '../http/api-error';
import { type AuthContext } from '../http/context';

const ISSUER = 'clinicflow';
export const API_AUDIENCE = 'clinicflow-api';

export interface TokenSettings {
  secret: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: { id: string; role: AuthContext['role']; clinicId: string | null };
}

const claimsSchema = z.object({
  sub: z.uuid(),
  role: z.enum(ROLES),
  clinicId: z.uuid().nullable(),
});

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

// Handed a string, jsonwebtoken first tries to read it as a PEM public key and builds a key object
// on every call; a failed PEM parse per request cost the API about a twentieth of its CPU.
const secretKeys = new Map<string, KeyObject>();
function secretKey(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return key;
}

export function signJwt(settings: TokenSettings, payload: object, audience: string, ttlSeconds: number): string {
  return jwt.sign(payload, secretKey(settings.secret), { algorithm: 'HS256', issuer: ISSUER, audience, expiresIn: ttlSeconds });
}

export function verifyJwt(settings: TokenSettings, token: string, audience: string): jwt.JwtPayload | null {
  try {
    const decoded = jwt.verify(token, secretKey(settings.secret), { algorithms: ['HS256'], issuer: ISSUER, audience });
    return typeof decoded === 'object' ? decoded : null;
  } catch {
    return null;
  }
}

export function verifyAccessToken(settings: TokenSettings, token: string): AuthContext | null {
  const parsed = claimsSchema.safeParse(verifyJwt(settings, token, API_AUDIENCE));
  return parsed.success ? { userId: parsed.data.sub, role: parsed.data.role, clinicId: parsed.data.clinicId } : null;
}

/**
 * `twoFactorVerified`: the login that starts (or started) this family passed two-factor sign-in.
 * Refreshing carries it over; an account with two-factor on refreshes only families that have it.
 */
export async function issueTokens(
  prisma: PrismaClient,
  settings: TokenSettings,
  user: AuthContext,
  { familyId = randomUUID(), twoFactorVerified = false }: { familyId?: string; twoFactorVerified?: boolean } = {},
): Promise<IssuedTokens> {
  const accessToken = signJwt(settings, { sub: user.userId, role: user.role, clinicId: user.clinicId }, API_AUDIENCE, settings.accessTtlSeconds);
  const refreshToken = randomBytes(32).toString('base64url');
  await prisma.refreshToken.create({
    data: {
      userId: user.userId,
      clinicId: user.clinicId,
      familyId,
      twoFactorVerified,
      tokenHash: hashToken(refreshToken),
      expiresAt: new Date(Date.now() + settings.refreshTtlSeconds * 1000),
    },
  });
  return {
    accessToken,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: settings.accessTtlSeconds,
    user: { id: user.userId, role: user.role, clinicId: user.clinicId },
  };
}

const invalidRefresh = () => ApiError.unauthorized('INVALID_REFRESH_TOKEN', 'The refresh token is invalid or expired');

export const TWO_FACTOR_CHALLENGE_AUDIENCE = 'clinicflow-two-factor-challenge';
export const TWO_FACTOR_CHALLENGE_TTL_SECONDS = 5 * 60;

/**
 * What a password login of an account with two-factor on gets instead of tokens: good for one
 * thing (the code step, POST /auth/login/two-factor) for five minutes. It names the enrolment, so
 * turning two-factor off (or on again with a new secret) voids it. Its audience keeps it from
 * passing as an access token.
 */
export function signTwoFactorChallenge(settings: TokenSettings, userId: string, enrolmentId: string): string {
  return signJwt(settings, { sub: userId, enrolment: enrolmentId }, TWO_FACTOR_CHALLENGE_AUDIENCE, TWO_FACTOR_CHALLENGE_TTL_SECONDS);
}

const challengeSchema = z.object({ sub: z.uuid(), enrolment: z.uuid() });

export function verifyTwoFactorChallenge(settings: TokenSettings, token: string): { userId: string; enrolmentId: string } | null {
  const parsed = challengeSchema.safeParse(verifyJwt(settings, token, TWO_FACTOR_CHALLENGE_AUDIENCE));
  return parsed.success ? { userId: parsed.data.sub, enrolmentId: parsed.data.enrolment } : null;
}

export async function rotateRefreshToken(prisma: PrismaClient, settings: TokenSettings, refreshToken: string): Promise<IssuedTokens> {
  const stored = await prisma.refreshToken.findUnique({
    where: { tokenHash: hashToken(refreshToken) },
    include: { user: { include: { twoFactor: { select: { enabledAt: true } } } } },
  });
  if (!stored || stored.revokedAt) throw invalidRefresh();
  // Claim the token atomically: of two concurrent refreshes with one token, only one wins.
  const claimed = await prisma.refreshToken.updateMany({ where: { id: stored.id, usedAt: null, revokedAt: null }, data: { usedAt: new Date() } });
  if (claimed.count === 0) {
    await revokeFamily(prisma, stored.familyId);
    throw ApiError.unauthorized('REFRESH_TOKEN_REUSED', 'This refresh token was already used; every session of this login is now signed out');
  }
  if (stored.expiresAt <= new Date() || !stored.user.active) throw invalidRefresh();
  // A session from before two-factor was turned on (or one that never passed it) must not outlive it.
  if (stored.user.twoFactor?.enabledAt && !stored.twoFactorVerified) {
    await revokeFamily(prisma, stored.familyId);
    throw ApiError.unauthorized('TWO_FACTOR_REQUIRED', 'This account signs in with a two-factor code now; sign in again');
  }
  const user = { userId: stored.user.id, role: stored.user.role, clinicId: stored.user.clinicId };
  return issueTokens(prisma, settings, user, { familyId: stored.familyId, twoFactorVerified: stored.twoFactorVerified });
}

export async function revokeFamily(prisma: PrismaClient, familyId: string): Promise<void> {
  await prisma.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/** Logout: the family of this refresh token can no longer refresh. Unknown tokens are ignored. */
export async function revokeByToken(prisma: PrismaClient, refreshToken: string): Promise<void> {
  const stored = await prisma.refreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) } });
  if (stored) await revokeFamily(prisma, stored.familyId);
}

export interface RefreshTokenRevoker {
  refreshToken: { updateMany(args: { where: Prisma.RefreshTokenWhereInput; data: Prisma.RefreshTokenUpdateManyMutationInput }): PromiseLike<unknown> };
}

export async function revokeAllForUser(db: RefreshTokenRevoker, userId: string): Promise<void> {
  await db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}
