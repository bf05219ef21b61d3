/** How the SMS contract (../contract.test.ts) drives Vonage: the real `@vonage/server-sdk` against test/fakes/vonage-peer. */
import { randomBytes } from 'node:crypto';
import { startVonagePeer } from '../../../../../test/fakes/vonage-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type SmsMessage } from '../../types';
import { createVonageSms, vonageSms } from './connector';
import { type VonageCredentials } from './descriptor';

export const vonageSmsContract: ContractSubject<'sms'> = {
  descriptor: vonageSms,
  credentials: {
    valid: [{ apiKey: 'k', apiSecret: 's', from: '+447700900001' }, { apiKey: 'k', apiSecret: 's', from: 'ClinicFlow' }],
    invalid: [{ input: { apiKey: '', from: '+0' }, paths: ['apiKey', 'apiSecret', 'from'] }],
    secretFields: ['apiSecret', 'signatureSecret'],
  },
  async start() {
    const creds: VonageCredentials = { apiKey: randomBytes(4).toString('hex'), apiSecret: `Sec${randomBytes(8).toString('hex')}`, from: '+447700900001' };
    const message: SmsMessage = { from: '+447700900001', to: '+447700900123', text: 'Your appointment is tomorrow at 9:00', idempotencyKey: 'msg-42:1' };
    const peer = await startVonagePeer(creds);
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createVonageSms({ timeoutMs }) : vonageSms).connect({ ...creds, ...(wrongCredentials && { apiSecret: 'wrong-secret' }) }, { vonage: baseUrl ?? peer.url }),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.messageId, idempotencyKey: m.clientRef })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      // The account API answers HTTP 401; the SMS API answers HTTP 200 with status 4.
      refusedCredentials: { verifyCode: 'http:401', sendCode: 'vonage:4' },
      invalidRecipient: { message: { ...message, to: '+44 77 ABC' }, code: 'vonage:3' },
      // The SMS API reports its own trouble inside an HTTP 200 (status 5, a vendor case); a 5xx comes from in front of it.
      serverError: { arrange: () => peer.failNext(1, { status: 503, body: { title: 'Service Unavailable' } }), code: 'http:503' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 502, body: 'bad gateway' }), code: 'http:502' },
      rateLimited: { arrange: (s) => peer.failNext(1, { status: 429, headers: { 'Retry-After': String(s) }, body: { title: 'Too Many Requests' } }), code: 'http:429', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.apiSecret, message.to.slice(1), message.text],
      stop: () => peer.stop(),
    };
  },
};
