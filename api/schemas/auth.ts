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

export const twoFactorChallengeResponse = z
  .object({
    twoFactorRequired: z.literal(true),
    challengeToken: text().describe('Send it with a code to POST /auth/login/two-factor; good for one sign-in step'),
    expiresIn: z.number().int().describe('Seconds until the challenge token expires'),
  })
  .openapi('TwoFactorChallenge');

/** A password login answers with tokens, or, for an account with two-factor on, with a challenge. */
export const loginResponse = z.union([tokensResponse, twoFactorChallengeResponse]).openapi('LoginResult');

const code = text()
  .trim()
  .min(6)
  .max(40)
  .describe('The 6-digit code of the authenticator app, or one recovery code (xxxx-xxxx-xxxx-xxxx)');
const totpCode = text()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6-digit code of the authenticator app')
  .describe('The 6-digit code of the authenticator app');
const currentPassword = text().min(1).max(200);

export const twoFactorLoginBody = z.object({ challengeToken: text().min(1).max(2000), code }).openapi('TwoFactorLoginRequest');
export const twoFactorStartBody = z.object({ password: currentPassword }).openapi('TwoFactorEnrolmentRequest');
export const twoFactorConfirmBody = z.object({ code: totpCode }).openapi('TwoFactorConfirmRequest');
export const twoFactorDisableBody = z.object({ password: currentPassword, code }).openapi('TwoFactorDisableRequest');
export const twoFactorCodeBody = z.object({ code }).openapi('TwoFactorCodeRequest');

export const twoFactorStatusResponse = z
  .object({
    enabled: z.boolean(),
    /** An enrolment was started and waits for its first code. */
    pending: z.boolean(),
    enabledAt: text().nullable(),
    recoveryCodesLeft: z.number().int(),
  })
  .openapi('TwoFactorStatus');

export const twoFactorEnrolmentResponse = z
  .object({
    secret: text().describe('Base32 secret, for typing into an authenticator app; shown once'),
    otpauthUri: text().describe('otpauth://totp/… URI, for a QR code; shown once'),
    algorithm: z.literal('SHA1'),
    digits: z.number().int(),
    period: z.number().int().describe('Seconds per code'),
  })
  .openapi('TwoFactorEnrolment');

export const recoveryCodesResponse = z
  .object({ recoveryCodes: z.array(text()).describe('One-time recovery codes; shown once, stored only as hashes') })
  .openapi('RecoveryCodes');
