import { z } from '../openapi/zod';
import { ROLES } from '../../domain/roles';
import { text } from '../../domain/text';

export const loginBody = z.object({ email: z.email().transform((e) => e.toLowerCase()), password: text().min(1).max(200) }).openapi('LoginRequest');
export const refreshBody = z.object({ refreshToken: text().min(1).max(200) }).openapi('RefreshRequest');

export const tokensResponse = z
  .object({
    accessToken: text(),
    refreshToken: text(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    user: z.object({ id: z.uuid(), role: z.enum(ROLES), clinicId: z.uuid().nullable() }),
  })
  .openapi('Tokens');
