/** How the SMS contract (../contract.test.ts) drives Twilio: the real `twilio` SDK against test/fakes/twilio-peer. */
import { randomBytes } from 'node:crypto';
import { startTwilioPeer, twilioError } from '../../../../../test/fakes/twilio-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type SmsMessage } from '../../types';
import { createTwilioSms, twilioSms } from './connector';
import { type TwilioCredentials } from './descriptor';

export const twilioSmsContract: ContractSubject<'sms'> = {
  descriptor: twilioSms,
  credentials: {
    valid: [{ accountSid: `AC${'a'.repeat(32)}`, authToken: 't', from: '+15005550006' }, { accountSid: `AC${'a'.repeat(32)}`, authToken: 't', from: `MG${'b'.repeat(32)}` }],
    invalid: [{ input: { accountSid: 'SK123', from: 'clinic' }, paths: ['accountSid', 'authToken', 'from'] }],
    secretFields: ['authToken'],
  },
  async start() {
    const creds: TwilioCredentials = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: `token-${randomBytes(12).toString('hex')}`, from: '+15005550006' };
    const message: SmsMessage = { from: '+15005550006', to: '+14155550123', text: 'Your appointment is tomorrow at 9:00', idempotencyKey: 'msg-42:1' };
    const peer = await startTwilioPeer(creds);
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createTwilioSms({ timeoutMs }) : twilioSms).connect({ ...creds, ...(wrongCredentials && { authToken: 'not-the-token' }) }, { twilio: baseUrl ?? peer.url }),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.sid, idempotencyKey: m.idempotencyKey })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'twilio:20003', sendCode: 'twilio:20003' },
      invalidRecipient: { message: { ...message, to: '0415' }, code: 'twilio:21211' },
      serverError: { arrange: () => peer.failNext(1, twilioError(503, 20503, 'Service unavailable')), code: 'twilio:20503' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 503, body: 'upstream unavailable' }), code: 'http:503' },
      rateLimited: { arrange: (s) => peer.failNext(1, twilioError(429, 20429, 'Too Many Requests', { 'Retry-After': String(s) })), code: 'twilio:20429', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.authToken, message.to, message.to.slice(1), message.text],
      stop: () => peer.stop(),
    };
  },
};
