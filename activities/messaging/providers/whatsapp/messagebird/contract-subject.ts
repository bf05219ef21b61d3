/** How the WhatsApp contract (../contract.test.ts) drives MessageBird: our fetch calls against test/fakes/messagebird-conversations-peer. */
import { randomBytes } from 'node:crypto';
import { messageBirdError, startMessageBirdConversationsPeer } from '../../../../../test/fakes/messagebird-conversations-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type WhatsAppMessage } from '../../types';
import { createMessageBirdWhatsApp, messageBirdWhatsApp } from './connector';

export const messageBirdWhatsAppContract: ContractSubject<'whatsapp'> = {
  descriptor: messageBirdWhatsApp,
  credentials: {
    valid: [{ accessKey: 'live_0123456789abcdefghij', channelId: 'a'.repeat(32) }, { accessKey: 'live_0123456789abcdefghij', channelId: 'A'.repeat(32), templateNamespace: 'ns' }],
    invalid: [{ input: { accessKey: 'short', channelId: 'whatsapp-1', templateNamespace: '' }, paths: ['accessKey', 'channelId', 'templateNamespace'] }],
    secretFields: ['accessKey', 'signingKey'],
  },
  async start() {
    const creds = messageBirdWhatsApp.credentials.parse({ accessKey: `live_${randomBytes(12).toString('hex')}`, channelId: randomBytes(16).toString('hex') });
    const message: WhatsAppMessage = { from: '+15550100', to: '+31612345678', text: 'Uw uitslagen zijn klaar', idempotencyKey: 'msg-43:1' };
    const peer = await startMessageBirdConversationsPeer({ accessKey: creds.accessKey, channelIds: [creds.channelId] });
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createMessageBirdWhatsApp({ timeoutMs }) : messageBirdWhatsApp).connect(
          { ...creds, ...(wrongCredentials && { accessKey: 'live_wrongwrongwrongwrong' }) },
          { 'messagebird-conversations': baseUrl ?? peer.url },
        ),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.id, idempotencyKey: m.idempotencyKey })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'messagebird:2', sendCode: 'messagebird:2' },
      invalidRecipient: { message: { ...message, to: 'not-a-number' }, code: 'messagebird:21' },
      serverError: { arrange: () => peer.failNext(1, messageBirdError(500, 99, 'Internal error')), code: 'messagebird:99' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 503, body: 'upstream unavailable' }), code: 'http:503' },
      rateLimited: { arrange: (s) => peer.failNext(1, messageBirdError(429, 98, 'Too many requests', null, { 'retry-after': String(s) })), code: 'messagebird:98', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.accessKey, message.to, message.to.slice(1), message.text ?? ''],
      stop: () => peer.stop(),
    };
  },
};
