/** How the push contract (../contract.test.ts) drives FCM: the real `firebase-admin` SDK against test/fakes/fcm-peer. */
import { generateKeyPairSync } from 'node:crypto';
import { fcmError, startFcmPeer } from '../../../../../test/fakes/fcm-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type PushMessage } from '../../types';
import { createFcmPush, fcmPush } from './connector';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const account = { projectId: 'clinic-push-test', clientEmail: 'push@clinic-push-test.iam.gserviceaccount.com', privateKey: pem };

export const fcmContract: ContractSubject<'push'> = {
  descriptor: fcmPush,
  credentials: {
    valid: [account, { ...account, privateKey: pem.replace(/\n/g, '\\n') }],
    invalid: [{ input: { projectId: 'Clinic Push', clientEmail: 'not-an-email', privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }, paths: ['clientEmail', 'privateKey', 'projectId'] }],
    secretFields: ['privateKey'],
  },
  async start() {
    const creds = fcmPush.credentials.parse(account);
    const device = 'dGVzdC1kZXZpY2UtdG9rZW4tMDAx:APA91bH-local-device';
    const message: PushMessage = { token: device, title: 'Appointment tomorrow', body: 'Dr. Lovelace at 9:00', data: { appointmentId: 'apt-7' }, idempotencyKey: 'msg-42:1' };
    const peer = await startFcmPeer({ projectId: creds.projectId, clientEmail: creds.clientEmail, publicKey });
    peer.devices.add(device);
    peer.unregistered.add('uninstalled-device');
    return {
      connect: ({ wrongCredentials, baseUrl, timeoutMs } = {}) =>
        (timeoutMs ? createFcmPush({ timeoutMs }) : fcmPush).connect(
          { ...creds, ...(wrongCredentials && { clientEmail: 'intruder@elsewhere.iam.gserviceaccount.com' }) },
          { fcm: baseUrl ?? peer.url },
        ),
      message,
      lastAccepted: () => peer.delivered.map((m) => ({ id: m.name, idempotencyKey: m.idempotencyKey })).at(-1),
      acceptedCount: () => peer.delivered.length,
      requestCount: () => peer.requests.length,
      // The token endpoint refuses the service account; firebase-admin reports it as an invalid credential.
      refusedCredentials: { verifyCode: 'fcm:app/invalid-credential', sendCode: 'fcm:app/invalid-credential' },
      invalidRecipient: { message: { ...message, token: 'uninstalled-device' }, code: 'fcm:unregistered' },
      serverError: { arrange: () => peer.failNextSends(1, fcmError(500, 'INTERNAL', 'INTERNAL', 'Internal error')), code: 'fcm:messaging/internal-error' },
      // firebase-admin keeps no response headers on its errors, so FCM's Retry-After cannot reach us.
      rateLimited: {
        arrange: (s) => peer.failNextSends(1, fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED', 'Quota exceeded', { 'retry-after': String(s) })),
        code: 'fcm:messaging/message-rate-exceeded',
        retryAfter: false,
      },
      hang: () => peer.hangNextSends(),
      // Nothing answers the token request either: firebase-admin reports that as a credential failure (TRANSIENT, not AUTH).
      refusedConnectionCode: 'fcm:app/invalid-credential',
      get hidden() {
        return [pem.split('\n')[1] ?? pem, device, message.title, message.body, ...peer.tokensIssued.map((t) => t.accessToken)];
      },
      stop: () => peer.stop(),
    };
  },
};
