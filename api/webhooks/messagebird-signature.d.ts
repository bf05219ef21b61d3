// Types for the part of the `messagebird` SDK that verifies webhook signatures; the SDK ships none for it.
declare module 'messagebird/lib/webhook-signature-jwt.js' {
  import { type KeyObject } from 'node:crypto';

  /** Passed to jose's jwtVerify. */
  interface JwtVerifyOptions {
    issuer?: string;
    algorithms?: string[];
    clockTolerance?: number;
    requiredClaims?: string[];
  }

  export class VerifyOptions {
    constructor(validateUrl?: boolean, validatePayload?: boolean, jwtVerifyOptions?: JwtVerifyOptions, jwtVerifyJti?: (jti: string) => boolean);
  }

  /** Resolves when the JWT is valid for this URL and body; rejects otherwise. */
  export function verify(url: string, payload: Buffer | null, jwt: string, key: KeyObject, opts?: VerifyOptions): Promise<true>;

  export const SIGNATURE_HEADER_NAME: string;
}
