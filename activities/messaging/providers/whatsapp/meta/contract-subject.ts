/** How the WhatsApp contract (../contract.test.ts) drives Meta's Cloud API: our fetch calls against test/fakes/meta-whatsapp-peer. */
import { graphError, startMetaWhatsAppPeer } from '../../../../../test/fakes/meta-whatsapp-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type WhatsAppMessage } from '../../types';
import { createMetaCloudWhatsApp, metaCloudWhatsApp } from './connector';

const valid = { phoneNumberId: '106540352242922', accessToken: 'EAAG-local-test-token-0123456789abcdef', appSecret: 'app-secret-for-webhooks' };

export const metaCloudContract: ContractSubject<'whatsapp'> = {
  descriptor: metaCloudWhatsApp,
  credentials: {
    valid: [valid, { ...valid, businessAccountId: '102290129340398', graphApiVersion: 'v20.0' }],
    invalid: [{ input: { phoneNumberId: '+1 555 0100', accessToken: 'short', graphApiVersion: '21' }, paths: ['accessToken', 'graphApiVersion', 'phoneNumberId'] }],
    secretFields: ['accessToken', 'appSecret', 'webhookVerifyToken'],
  },
  async start() {
    const creds = metaCloudWhatsApp.credentials.parse(valid);
    const message: WhatsAppMessage = { from: '+15550100', to: '+14155550123', text: 'Your results are ready', idempotencyKey: 'msg-43:1' };
    const peer = await startMetaWhatsAppPeer({ phoneNumberId: creds.phoneNumberId, accessToken: creds.accessToken, undeliverable: ['+19995550000'] });
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createMetaCloudWhatsApp({ timeoutMs }) : metaCloudWhatsApp).connect(
          { ...creds, ...(wrongCredentials && { accessToken: 'EAAG-revoked-token-0000000000000' }) },
          { 'meta-whatsapp': baseUrl ?? peer.url },
        ),
      message,
      lastAccepted: () => peer.messages.map((m) => ({ id: m.id, idempotencyKey: m.idempotencyKey })).at(-1),
      acceptedCount: () => peer.messages.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'meta:190', sendCode: 'meta:190' },
      invalidRecipient: { message: { ...message, to: '+19995550000' }, code: 'meta:131026' },
      serverError: { arrange: () => peer.failNext(1, graphError(500, 131000, 'Something went wrong')), code: 'meta:131000' },
      bareServerError: { arrange: () => peer.failNext(1, { status: 503, body: 'upstream unavailable' }), code: 'http:503' },
      rateLimited: { arrange: (s) => peer.failNext(1, graphError(429, 80007, 'Rate limit issues', { headers: { 'retry-after': String(s) } })), code: 'meta:80007', retryAfter: true },
      hang: () => peer.hangNext(),
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [creds.accessToken, message.to, message.to.slice(1), message.text ?? ''],
      stop: () => peer.stop(),
    };
  },
};
