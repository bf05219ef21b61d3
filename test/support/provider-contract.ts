/**
 * The contract every provider connector of a channel keeps, run through its real SDK against the
 * vendor's local peer (test/fakes). Each connector brings a ContractSubject (in its own folder,
 * contract-subject.ts) that knows how to drive its peer; the channel's contract.test.ts lists them.
 * Vendor-specific cases (request shapes, code tables) stay in the connector's own test file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectorsFor } from '../../activities/messaging/providers/connectors';
import { type ProviderError } from '../../activities/messaging/providers/provider-error';
import { type ChannelClient, type MessageByChannel, type ProviderDescriptor } from '../../activities/messaging/providers/types';
import { type Channel } from '../../domain/messaging';
import { closedPortUrl } from '../fakes/http-peer';
import { rejectsWithProviderError } from './provider-errors';

export interface ConnectOptions {
  /** Credentials the peer refuses (a wrong token, key or password). */
  wrongCredentials?: boolean;
  /** Another base URL than the peer's, e.g. one nothing listens on (http://127.0.0.1:<port>). */
  baseUrl?: string;
  /** A connector built with this client timeout. */
  timeoutMs?: number;
}

/** A vendor answer the peer is told to give next, and the code the connector must log for it. */
export interface ScriptedAnswer {
  arrange(): void;
  code: string;
}

export interface ContractPeer<C extends Channel> {
  connect(options?: ConnectOptions): ChannelClient<C>;
  /** A message the peer accepts. */
  message: MessageByChannel[C];
  /** The last message the peer accepted: the id it gave and the idempotency key it received. */
  lastAccepted(): { id: string; idempotencyKey: string | undefined } | undefined;
  /** How many messages the peer accepted so far. */
  acceptedCount(): number;
  /** How many requests reached the peer so far (for "refused before any request"); HTTP peers only. */
  requestCount?(): number;
  /** Codes for refused credentials on verify() and on send (they differ where the vendor answers them differently). */
  refusedCredentials: { verifyCode: string; sendCode: string };
  /** A message whose recipient the vendor refuses, and the code it gives. `arrange` scripts the refusal when the peer has no rule for it. */
  invalidRecipient: { message: MessageByChannel[C]; code: string; arrange?(): void };
  /** A 5xx (or the vendor's equivalent) in the vendor's own shape. */
  serverError: ScriptedAnswer;
  /** A 5xx without the vendor's error body (a proxy or load balancer answering). Absent for SMTP, and where the peer cannot send one. */
  bareServerError?: ScriptedAnswer;
  /** A throttling answer with Retry-After: seconds. `retryAfter: false` where the SDK drops the header. */
  rateLimited?: { arrange(retryAfterSeconds: number): void; code: string; retryAfter: boolean };
  /** The peer stops answering the next request. Absent where the peer cannot hang (covered by the connector's own test). */
  hang?(): void;
  /** The code of a refused connection (a socket error, unless the SDK reports it otherwise). */
  refusedConnectionCode: string;
  /** What no error may reveal: secrets, recipients, message text. */
  hidden: readonly string[];
  stop(): Promise<void>;
}

export interface ContractSubject<C extends Channel> {
  descriptor: Pick<ProviderDescriptor<C>, 'provider' | 'credentials' | 'secretFields'>;
  start(): Promise<ContractPeer<C>>;
  /** Credentials the schema accepts, ones it refuses with the field paths it names, and the secret fields. */
  credentials: { valid: unknown[]; invalid: Array<{ input: unknown; paths: string[] }>; secretFields: string[] };
}

/** What channel-specific cases get to work with. */
export interface ContractContext<C extends Channel> {
  peer(): ContractPeer<C>;
  connect(options?: ConnectOptions): ChannelClient<C>;
  providerError(promise: Promise<unknown>): Promise<ProviderError>;
}

const TIMEOUT_MS = 300;
const RETRY_AFTER_SECONDS = 3;

export function contractSuite<C extends Channel>(channel: C, subjects: ContractSubject<C>[], channelCases?: (ctx: ContractContext<C>) => void): void {
  test(`every ${channel} connector is under this contract`, () => {
    assert.deepEqual(subjects.map((s) => s.descriptor.provider).sort(), connectorsFor(channel).map((c) => c.provider).sort());
  });

  for (const subject of subjects) {
    describe(`${channel} contract: ${subject.descriptor.provider}`, () => {
      let current: ContractPeer<C> | undefined;
      const clients: ChannelClient<C>[] = [];
      const peer = () => current ?? assert.fail('peer not started');
      const connect = (options?: ConnectOptions) => {
        const client = peer().connect(options);
        clients.push(client);
        return client;
      };
      const providerError = (promise: Promise<unknown>) => rejectsWithProviderError(promise, peer().hidden);

      before(async () => {
        current = await subject.start();
      });
      after(async () => {
        await Promise.all(clients.map((c) => c.close()));
        await current?.stop();
      });

      test('send: the receipt names the message the vendor accepted, and the vendor received the idempotency key', async () => {
        const receipt = await connect().send(peer().message);
        const accepted = peer().lastAccepted();
        assert.ok(accepted, 'the peer accepted a message');
        assert.ok(receipt.providerMessageId);
        assert.equal(receipt.providerMessageId, accepted.id);
        assert.equal(accepted.idempotencyKey, peer().message.idempotencyKey);
      });

      test('verify() passes with good credentials and sends nothing', async () => {
        const before = peer().acceptedCount();
        await connect().verify();
        assert.equal(peer().acceptedCount(), before);
      });

      test('verify() with refused credentials is AUTH, permanent', async () => {
        const err = await providerError(connect({ wrongCredentials: true }).verify());
        assert.deepEqual([err.kind, err.code, err.permanent], ['AUTH', peer().refusedCredentials.verifyCode, true]);
      });

      test('send with refused credentials is AUTH, and nothing is accepted', async () => {
        const before = peer().acceptedCount();
        const err = await providerError(connect({ wrongCredentials: true }).send(peer().message));
        assert.deepEqual([err.kind, err.code, err.permanent], ['AUTH', peer().refusedCredentials.sendCode, true]);
        assert.equal(peer().acceptedCount(), before);
      });

      test('an invalid recipient is INVALID_RECIPIENT, permanent, and nothing is accepted', async () => {
        const { message, code, arrange } = peer().invalidRecipient;
        const before = peer().acceptedCount();
        arrange?.();
        const err = await providerError(connect().send(message));
        assert.deepEqual([err.kind, err.code, err.permanent], ['INVALID_RECIPIENT', code, true]);
        assert.equal(peer().acceptedCount(), before);
      });

      test("the vendor's server error is TRANSIENT, retried", async () => {
        peer().serverError.arrange();
        const err = await providerError(connect().send(peer().message));
        assert.deepEqual([err.kind, err.code, err.permanent], ['TRANSIENT', peer().serverError.code, false]);
      });

      test("a 5xx without the vendor's error body is TRANSIENT", async (t) => {
        const bare = peer().bareServerError;
        if (!bare) return t.skip('the subject scripts no bare 5xx (not HTTP, or its peer cannot)');
        bare.arrange();
        const err = await providerError(connect().send(peer().message));
        assert.deepEqual([err.kind, err.code], ['TRANSIENT', bare.code]);
      });

      test("throttling with Retry-After is RATE_LIMITED, retried after the vendor's delay", async (t) => {
        const limited = peer().rateLimited;
        if (!limited) return t.skip('the vendor has no throttling answer');
        limited.arrange(RETRY_AFTER_SECONDS);
        const err = await providerError(connect().send(peer().message));
        assert.deepEqual([err.kind, err.code, err.permanent], ['RATE_LIMITED', limited.code, false]);
        assert.equal(err.options.retryAfterMs, limited.retryAfter ? RETRY_AFTER_SECONDS * 1000 : undefined);
      });

      test('a refused connection is TRANSIENT', async () => {
        const err = await providerError(connect({ baseUrl: await closedPortUrl() }).send(peer().message));
        assert.deepEqual([err.kind, err.code, err.permanent], ['TRANSIENT', peer().refusedConnectionCode, false]);
      });

      test('no answer within the timeout is TRANSIENT network:ETIMEDOUT', async (t) => {
        const { hang } = peer();
        if (!hang) return t.skip('the peer cannot hang: the connector test covers timeouts');
        hang();
        const err = await providerError(connect({ timeoutMs: TIMEOUT_MS }).send(peer().message));
        assert.deepEqual([err.kind, err.code], ['TRANSIENT', 'network:ETIMEDOUT']);
      });

      test('the credential schema names the invalid fields and declares the secret ones', () => {
        const { credentials, secretFields } = subject.descriptor;
        for (const valid of subject.credentials.valid) assert.ok(credentials.safeParse(valid).success, `accepts ${JSON.stringify(valid)}`);
        for (const { input, paths } of subject.credentials.invalid) {
          const result = credentials.safeParse(input);
          assert.equal(result.success, false);
          assert.deepEqual(result.error?.issues.map((i) => i.path.join('.')).sort(), [...paths].sort());
        }
        assert.deepEqual([...secretFields].sort(), [...subject.credentials.secretFields].sort());
      });

      channelCases?.({ peer, connect, providerError });
    });
  }
}
