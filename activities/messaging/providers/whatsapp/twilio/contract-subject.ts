/** How the WhatsApp contract (../contract.test.ts) drives Twilio: the real `twilio` SDK against test/fakes/twilio-whatsapp-peer. */
import { randomBytes } from 'node:crypto';
import { twilioError } from '../../../../../test/fakes/twilio-peer';
import { startTwilioWhatsAppPeer } from '../../../../../test/fakes/twilio-whatsapp-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type WhatsAppMessage } from '../../types';
import { createTwilioWhatsApp, twilioWhatsApp } from './connector';

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

export const twilioWhatsAppContract: ContractSubject<'whatsapp'> = {
  descriptor: twilioWhatsApp,
  credentials: {
    valid: [
      { accountSid: sid('AC'), authToken: 't', from: '+15550100' },
      { accountSid: sid('AC'), authToken: 't', from: 'whatsapp:+15550100', contentSids: { 'appointment_reminder:en_US': sid('HX') } },
      { accountSid: sid('AC'), authToken: 't', from: sid('MG') },
    ],
    invalid: [{ input: { accountSid: 'AB123', authToken: '', from: 'whatsapp:555', contentSids: { reminder: 'HX1' } }, paths: ['accountSid', 'authToken', 'contentSids.reminder', 'from'] }],
    secretFields: ['authToken'],
  },
  async start() {
    const creds = twilioWhatsApp.credentials.parse({ accountSid: sid('AC'), authToken: `token-${randomBytes(12).toString('hex')}`, from: '+15550100' });
    const message: WhatsAppMessage = { from: '+15550100', to: '+14155550123', text: 'Your results are ready', idempotencyKey: 'msg-43:1' };
    const peer = await startTwilioWhatsAppPeer({ accountSid: creds.accountSid, authToken: creds.authToken, senders: ['whatsapp:+15550100'], contentSids: [] });
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createTwilioWhatsApp({ timeoutMs }) : twilioWhatsApp).connect({ ...creds, ...(wrongCredentials && { authToken: 'wrong-token' }) }, { twilio: baseUrl ?? peer.url }),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.sid, idempotencyKey: m.idempotencyKey })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'twilio:20003', sendCode: 'twilio:20003' },
      invalidRecipient: { message: { ...message, to: '+0' }, code: 'twilio:21211' },
      serverError: { arrange: () => peer.failNext(1, twilioError(503, 20500, 'Service unavailable')), code: 'twilio:20500' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 503, body: 'upstream unavailable' }), code: 'http:503' },
      rateLimited: { arrange: (s) => peer.failNext(1, twilioError(429, 63018, 'Rate limit exceeded for Channel', { 'retry-after': String(s) })), code: 'twilio:63018', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.authToken, message.to, message.to.slice(1), message.text ?? ''],
      stop: () => peer.stop(),
    };
  },
};
