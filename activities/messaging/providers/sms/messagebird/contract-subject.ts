/** How the SMS contract (../contract.test.ts) drives MessageBird: our fetch calls against test/fakes/messagebird-peer. */
import { randomBytes } from 'node:crypto';
import { messageBirdError, startMessageBirdPeer } from '../../../../../test/fakes/messagebird-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type SmsMessage } from '../../types';
import { createMessageBirdSms, messageBirdSms } from './connector';
import { type MessageBirdCredentials } from './descriptor';

export const messageBirdSmsContract: ContractSubject<'sms'> = {
  descriptor: messageBirdSms,
  credentials: {
    valid: [{ accessKey: 'live_key', originator: 'ClinicFlow' }, { accessKey: 'live_key', originator: '+31612345678' }],
    invalid: [{ input: { originator: 'A sender name that is too long' }, paths: ['accessKey', 'originator'] }],
    secretFields: ['accessKey', 'signingKey'],
  },
  async start() {
    const creds: MessageBirdCredentials = { accessKey: `live_${randomBytes(12).toString('hex')}`, originator: 'ClinicFlow' };
    const message: SmsMessage = { from: 'Dr Smith', to: '+31612345678', text: 'Your appointment is tomorrow at 9:00', idempotencyKey: 'msg-42:1' };
    const peer = await startMessageBirdPeer(creds.accessKey);
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createMessageBirdSms({ timeoutMs }) : messageBirdSms).connect({ ...creds, ...(wrongCredentials && { accessKey: 'test_wrong' }) }, { messagebird: baseUrl ?? peer.url }),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.id, idempotencyKey: m.reference })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'messagebird:2', sendCode: 'messagebird:2' },
      invalidRecipient: { message: { ...message, to: '+31-6-ABC' }, code: 'messagebird:9' },
      serverError: { arrange: () => peer.failNext(1, messageBirdError(500, 99, 'Internal error')), code: 'messagebird:99' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 503 }), code: 'http:503' },
      rateLimited: { arrange: (s) => peer.failNext(1, messageBirdError(429, 21, 'Too many requests', null, { 'Retry-After': String(s) })), code: 'messagebird:21', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.accessKey, message.to.slice(1), message.text],
      stop: () => peer.stop(),
    };
  },
};
