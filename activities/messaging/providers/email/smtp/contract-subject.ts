/** How the email contract (../contract.test.ts) drives SMTP: nodemailer against test/fakes/smtp-peer. */
import { startSmtpPeer } from '../../../../../test/fakes/smtp-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type EmailMessage } from '../../types';
import { smtpEmailProvider } from './connector';

const PASSWORD = 'pool-secret-Xq93';
const base = { host: 'mail.sunrise.test', port: 587, username: 'clinic-7', password: PASSWORD, fromAddress: 'front-desk@sunrise.test' };

export const smtpContract: ContractSubject<'email'> = {
  descriptor: smtpEmailProvider,
  credentials: {
    valid: [base, { ...base, host: undefined, port: undefined, preset: 'gmail' }, { ...base, fromName: 'Sunrise Clinic', secure: true }],
    invalid: [
      { input: { ...base, password: undefined }, paths: ['password'] },
      { input: { ...base, fromAddress: 'not-an-address' }, paths: ['fromAddress'] },
    ],
    secretFields: ['password'],
  },
  async start() {
    const peer = await startSmtpPeer({ username: base.username, password: PASSWORD });
    peer.rejectRecipient('gone@example.test', 550);
    const credentials = smtpEmailProvider.credentials.parse({ ...base, fromName: 'Sunrise Clinic' });
    const message: EmailMessage = {
      idempotencyKey: 'msg-01J9ZK7Q-attempt-1',
      from: { address: 'front-desk@sunrise.test' },
      to: 'patient.jane@example.test',
      subject: 'Reminder: your appointment',
      text: 'Your session with Dr. Weiss is tomorrow at 10:00.',
    };
    return {
      connect: ({ wrongCredentials, baseUrl } = {}) =>
        smtpEmailProvider.connect({ ...credentials, ...(wrongCredentials && { password: 'wrong-password' }) }, { smtp: baseUrl?.replace(/^http:/, 'smtp:') ?? peer.url }),
      message,
      lastAccepted: () => {
        const mail = peer.received.at(-1);
        // The idempotency key travels as the Message-ID <key@clinicflow>, percent-encoded where needed.
        const key = /^<(.*)@clinicflow>$/.exec(mail?.messageId ?? '')?.[1];
        return mail && { id: mail.queueId, idempotencyKey: key && decodeURIComponent(key) };
      },
      acceptedCount: () => peer.received.length,
      refusedCredentials: { verifyCode: 'smtp:535', sendCode: 'smtp:535' },
      invalidRecipient: { message: { ...message, to: 'gone@example.test' }, code: 'smtp:550' },
      // 4xx replies are SMTP's "try again later".
      serverError: { arrange: () => peer.failNextMessages(451), code: 'smtp:451' },
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [PASSWORD, message.to, 'gone@example.test', 'Dr. Weiss'],
      stop: () => peer.stop(),
    };
  },
};
