/** How the WhatsApp contract (../contract.test.ts) drives Vonage: the real `@vonage/server-sdk` against test/fakes/vonage-messages-peer. */
import { randomBytes } from 'node:crypto';
import { startVonageMessagesPeer, vonageProblem } from '../../../../../test/fakes/vonage-messages-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type WhatsAppMessage } from '../../types';
import { createVonageWhatsApp, vonageWhatsApp } from './connector';

export const vonageWhatsAppContract: ContractSubject<'whatsapp'> = {
  descriptor: vonageWhatsApp,
  credentials: {
    valid: [{ apiKey: 'abc12345', apiSecret: 'secret-12345', from: '+447700900100' }, { apiKey: 'abc12345', apiSecret: 'secret-12345', from: '447700900100' }],
    invalid: [{ input: { apiKey: 'key with spaces', apiSecret: 'short', from: 'Clinic' }, paths: ['apiKey', 'apiSecret', 'from'] }],
    secretFields: ['apiSecret', 'signatureSecret'],
  },
  async start() {
    const creds = vonageWhatsApp.credentials.parse({ apiKey: randomBytes(4).toString('hex'), apiSecret: `secret-${randomBytes(8).toString('hex')}`, from: '+447700900100' });
    const message: WhatsAppMessage = { from: '+447700900100', to: '+447700900123', text: 'Your results are ready', idempotencyKey: 'msg-43:1' };
    const peer = await startVonageMessagesPeer({ apiKey: creds.apiKey, apiSecret: creds.apiSecret, senders: ['447700900100'] });
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createVonageWhatsApp({ timeoutMs }) : vonageWhatsApp).connect({ ...creds, ...(wrongCredentials && { apiSecret: 'wrong-secret' }) }, { 'vonage-messages': baseUrl ?? peer.url }),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.messageUuid, idempotencyKey: m.clientRef })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'vonage:unauthorized', sendCode: 'vonage:unauthorized' },
      invalidRecipient: { message: { ...message, to: '12' }, code: 'vonage:1020' },
      serverError: { arrange: () => peer.failNext(1, vonageProblem(500, '1030', 'Internal error')), code: 'vonage:1030' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 503, body: 'upstream unavailable' }), code: 'http:503' },
      rateLimited: { arrange: (s) => peer.failNext(1, vonageProblem(429, '1000', 'Throttled', { headers: { 'retry-after': String(s) } })), code: 'vonage:1000', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.apiSecret, Buffer.from(`${creds.apiKey}:${creds.apiSecret}`).toString('base64'), message.to.slice(1), message.text ?? ''],
      stop: () => peer.stop(),
    };
  },
};
