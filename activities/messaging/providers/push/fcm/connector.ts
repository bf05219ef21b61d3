/**
 * Push through Firebase Cloud Messaging with the official `firebase-admin` SDK, one Firebase app
 * per connect() (unique name) so clinics never share an app, its token or its state.
 *
 * Endpoint override: endpoints.fcm, the base URL of an FCM stand-in that also serves /token.
 * firebase-admin has no host option or emulator variable for FCM; it hard-codes
 * https://fcm.googleapis.com and google-auth-library hard-codes https://oauth2.googleapis.com/token.
 * - FCM calls: AppOptions.httpAgent is honoured, so a redirecting agent opens those connections at
 *   endpoints.fcm; the SDK's requests, paths and headers stay exactly as in production.
 * - Token: cert(account, httpAgent) drops the agent when the account is an object
 *   (firebase/firebase-admin-node#2960, reproduced with 13.10.0: the token request still goes to
 *   oauth2.googleapis.com). So with an override the app gets a small Credential (the SDK's public
 *   extension point) doing the same JWT-bearer exchange against {endpoints.fcm}/token. Without an
 *   override, cert() is used as documented.
 * Idempotency: FCM has none; the key travels in the data payload for the app to deduplicate.
 */
import { randomUUID, sign } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { cert, type Credential, deleteApp, type GoogleOAuthAccessToken, initializeApp } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { timeoutFailure, type Vendor } from '../../http-failure';
import { ProviderError } from '../../provider-error';
import { type ChannelClient, type ProviderConnector, type PushMessage } from '../../types';
import { type FcmCredentials, fcmDescriptor } from './descriptor';

/** firebase-admin error codes. A dead token is INVALID_RECIPIENT with code fcm:unregistered: the caller prunes it. */
const FIREBASE_ERRORS: Record<string, { kind: DeliveryErrorKind; code?: string }> = {
  'messaging/registration-token-not-registered': { kind: 'INVALID_RECIPIENT', code: 'fcm:unregistered' },
  'messaging/invalid-registration-token': { kind: 'INVALID_RECIPIENT', code: 'fcm:unregistered' },
  'messaging/invalid-recipient': { kind: 'INVALID_RECIPIENT' },
  'messaging/authentication-error': { kind: 'AUTH' },
  'messaging/third-party-auth-error': { kind: 'AUTH' },
  'messaging/mismatched-credential': { kind: 'AUTH' },
  'messaging/quota-exceeded': { kind: 'RATE_LIMITED' },
  'messaging/message-rate-exceeded': { kind: 'RATE_LIMITED' },
  'messaging/device-message-rate-exceeded': { kind: 'RATE_LIMITED' },
  'messaging/server-unavailable': { kind: 'TRANSIENT' },
  'messaging/internal-error': { kind: 'TRANSIENT' },
  'messaging/unknown-error': { kind: 'TRANSIENT' },
  'app/network-error': { kind: 'TRANSIENT' },
  'app/network-timeout': { kind: 'TRANSIENT' },
  'messaging/invalid-payload': { kind: 'REJECTED' },
  'messaging/invalid-data-payload-key': { kind: 'REJECTED' },
  'messaging/payload-size-limit-exceeded': { kind: 'REJECTED' },
  'messaging/invalid-options': { kind: 'REJECTED' },
  'messaging/invalid-package-name': { kind: 'REJECTED' },
};
/** OAuth error codes in a failed token fetch that mean the service account itself was refused. */
const OAUTH_REFUSALS = /\b(invalid_grant|invalid_client|unauthorized_client|access_denied|invalid_scope)\b/;

const DEFAULT_TIMEOUT_MS = 30_000;
/** A syntactically plausible token that no device owns: FCM answers it with a token error. */
const PLACEHOLDER_TOKEN = 'clinicflow-credential-check';

export { type FcmCredentials };

const FCM: Vendor = { prefix: 'fcm', label: 'FCM' };

/** Opens every connection at the configured base URL whatever host the SDK asked for. */
class RedirectingAgent extends https.Agent {
  constructor(private readonly target: URL) {
    super();
  }

  override createConnection(): net.Socket {
    const { hostname, port, protocol } = this.target;
    if (protocol === 'https:') return tls.connect({ host: hostname, port: Number(port || 443), servername: hostname });
    return net.connect(Number(port || 80), hostname);
  }
}

const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const b64url = (json: object) => Buffer.from(JSON.stringify(json)).toString('base64url');

/**
 * The service-account JWT-bearer exchange (RFC 7523) that cert() performs, sent to {baseUrl}/token.
 * The assertion is the one Google expects (audience included); the SDK caches the token it returns.
 */
class RedirectedServiceAccountCredential implements Credential {
  constructor(
    private readonly account: FcmCredentials,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async getAccessToken(): Promise<GoogleOAuthAccessToken> {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ iss: this.account.clientEmail, scope: FCM_SCOPE, aud: GOOGLE_TOKEN_AUDIENCE, iat: now, exp: now + 3600 })}`;
    const assertion = `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), this.account.privateKey).toString('base64url')}`;
    const res = await fetch(`${this.baseUrl.replace(/\/+$/, '')}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string };
    // Only the OAuth error code is passed on: the SDK wraps it as app/invalid-credential.
    if (!res.ok || !body.access_token) throw new Error(`token request failed: ${body.error ?? `HTTP ${res.status}`}`);
    return { access_token: body.access_token, expires_in: body.expires_in ?? 3600 };
  }
}

function toProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const code = String((err as { code?: unknown } | null)?.code ?? 'unknown');
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  let known = FIREBASE_ERRORS[code];
  if (code === 'messaging/invalid-argument') {
    // FCM answers a malformed token with INVALID_ARGUMENT; only its message tells token from payload.
    known = /registration token/i.test(message) ? { kind: 'INVALID_RECIPIENT', code: 'fcm:unregistered' } : { kind: 'REJECTED' };
  } else if (code === 'app/invalid-credential') {
    // The SDK reports any failed token fetch this way, outages included: only an OAuth refusal is AUTH.
    known = { kind: OAUTH_REFUSALS.test(message) ? 'AUTH' : 'TRANSIENT' };
  }
  const kind = known?.kind ?? 'TRANSIENT';
  // The SDK's message is left out: it may quote the server's answer.
  return new ProviderError(kind, known?.code ?? `fcm:${code}`, `FCM: ${code} (${kind})`);
}

class FcmClient implements ChannelClient<'push'> {
  private closed = false;

  constructor(
    private readonly app: ReturnType<typeof initializeApp>,
    private readonly timeoutMs: number,
    private readonly agent: https.Agent | undefined,
  ) {}

  /** Bounds a call: the SDK's token fetch has no timeout of its own. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutFailure(FCM)), this.timeoutMs);
    });
    const work = fn();
    work.catch(() => undefined); // a late failure after the deadline has nobody to tell
    try {
      return await Promise.race([work, deadline]);
    } catch (err) {
      throw toProviderError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  async send(message: PushMessage) {
    const name = await this.call(() =>
      getMessaging(this.app).send({
        token: message.token,
        notification: { title: message.title, body: message.body },
        data: { ...message.data, idempotencyKey: message.idempotencyKey },
      }),
    );
    return { providerMessageId: name };
  }

  /**
   * A dry-run send to a placeholder token: it proves the key is accepted, the FCM API is enabled
   * and the account may send for this project, all without reaching a device. A token error is
   * therefore the expected, successful outcome.
   */
  async verify() {
    try {
      await this.call(() => getMessaging(this.app).send({ token: PLACEHOLDER_TOKEN, data: { check: 'credentials' } }, true));
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'fcm:unregistered') return;
      throw err;
    }
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await deleteApp(this.app);
    this.agent?.destroy();
  }
}

export function createFcmPush({ timeoutMs = DEFAULT_TIMEOUT_MS }: { timeoutMs?: number } = {}): ProviderConnector<'push', FcmCredentials> {
  return {
    ...fcmDescriptor,
    connect(creds, endpoints) {
      const base = endpoints.fcm;
      const agent = base ? new RedirectingAgent(new URL(base)) : undefined;
      const credential = base ? new RedirectedServiceAccountCredential(creds, base, timeoutMs) : cert(creds);
      const app = initializeApp({ credential, httpAgent: agent, projectId: creds.projectId }, `clinicflow-fcm-${randomUUID()}`);
      return new FcmClient(app, timeoutMs, agent);
    },
  };
}

export const fcmPush = createFcmPush();
