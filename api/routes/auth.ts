import bcrypt from 'bcryptjs';
import { type RequestHandler } from 'express';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { loginBody, refreshBody, tokensResponse } from '../schemas/auth';
import { issueTokens, revokeByToken, rotateRefreshToken, type TokenSettings } from '../services/tokens';


export function tokenSettings({ config }: Pick<ApiDeps, 'config'>): TokenSettings {
  return { secret: config.JWT_SECRET, accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS };
}

export function authRoutes(r: ApiRouter, deps: ApiDeps, loginLimiters: RequestHandler[]): ApiRouter {
  const { prisma } = deps;
  const settings = tokenSettings(deps);
  // Compared against when the email is unknown: at the cost passwords are hashed with, so a miss takes
  // as long as a wrong password and the answer time does not tell which emails have accounts.
  const dummyHash = bcrypt.hashSync('not-a-real-password', deps.config.BCRYPT_COST);
  return r
    .route({
      method: 'post',
      path: '/login',
      summary: 'Sign in with email and password',
      access: 'public',
      body: loginBody,
      before: loginLimiters,
      responses: { 200: { description: 'Signed in', schema: tokensResponse } },
      handler: async ({ body }, _req, res) => {
        const user = await prisma.staffUser.findUnique({ where: { email: body.email } });
        const matches = await bcrypt.compare(body.password, user?.passwordHash ?? dummyHash);
        if (!user || !matches || !user.active) throw ApiError.unauthorized('INVALID_CREDENTIALS', 'Email or password is wrong');
        await prisma.staffUser.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
        res.json(await issueTokens(prisma, settings, { userId: user.id, role: user.role, clinicId: user.clinicId }));
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
