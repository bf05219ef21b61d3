import { z } from '../openapi/zod';
import { ROLES } from '../../domain/roles';

export const loginBody = z.object({ email: z.email().transform((e) => e.toLowerCase()), password: z.string().min(1).max(200) }).openapi('LoginRequest');
export const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) }).openapi('RefreshRequest');

export const tokensResponse = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('Seconds until the access token expires'),
    user: z.object({ id: z.uuid(), role: z.enum(ROLES), clinicId: z.uuid().nullable() }),
  })
  .openapi('Tokens');
