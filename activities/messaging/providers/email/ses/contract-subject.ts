/** How the email contract (../contract.test.ts) drives SES: the real AWS SDK v3 against test/fakes/ses-peer. */
import { startSesPeer } from '../../../../../test/fakes/ses-peer';
import { type ContractSubject } from '../../../../../test/support/provider-contract';
import { type EmailMessage } from '../../types';
import { IDEMPOTENCY_HEADER, sesEmailProvider } from './connector';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const base = { region: 'eu-west-1', accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, fromAddress: 'front-desk@sunrise.test' };

export const sesContract: ContractSubject<'email'> = {
  descriptor: sesEmailProvider,
  credentials: {
    valid: [base, { ...base, fromName: 'Sunrise Clinic', configurationSetName: 'clinic-events' }],
    invalid: [
      { input: { ...base, secretAccessKey: undefined }, paths: ['secretAccessKey'] },
      { input: { ...base, fromAddress: 'front desk' }, paths: ['fromAddress'] },
      { input: { ...base, region: 'Ireland' }, paths: ['region'] },
    ],
    secretFields: ['secretAccessKey'],
  },
  async start() {
    const peer = await startSesPeer({ accessKeyId: ACCESS_KEY_ID });
    const credentials = sesEmailProvider.credentials.parse(base);
    const message: EmailMessage = {
      idempotencyKey: 'msg-01J9ZK7Q-attempt-1',
      from: { address: 'front-desk@sunrise.test' },
      to: 'patient.jane@example.test',
      subject: 'Reminder: your appointment',
      text: 'Your session with Dr. Weiss is tomorrow at 10:00.',
    };
    return {
      connect: ({ wrongCredentials, baseUrl } = {}) =>
        sesEmailProvider.connect({ ...credentials, ...(wrongCredentials && { accessKeyId: 'AKIAWRONGWRONGWRONG1' }) }, { ses: baseUrl ?? peer.url }),
      message,
      lastAccepted: () => peer.sent.map((m) => ({ id: m.messageId, idempotencyKey: m.headers[IDEMPOTENCY_HEADER] })).at(-1),
      acceptedCount: () => peer.sent.length,
      requestCount: () => peer.requests.length,
      refusedCredentials: { verifyCode: 'ses:UnrecognizedClientException', sendCode: 'ses:UnrecognizedClientException' },
      // SES echoes the address in its message: the connector must not.
      invalidRecipient: {
        message,
        code: 'ses:BadRequestException',
        arrange: () => peer.failNext({ status: 400, type: 'BadRequestException', message: `Illegal address: ${message.to}` }),
      },
      serverError: { arrange: () => peer.failNext({ status: 500, type: 'InternalFailure', message: 'Internal failure' }), code: 'ses:InternalFailure' },
      rateLimited: {
        arrange: (s) => peer.failNext({ status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.', headers: { 'Retry-After': String(s) } }),
        code: 'ses:TooManyRequestsException',
        retryAfter: true,
      },
      refusedConnectionCode: 'network:ECONNREFUSED',
      hidden: [SECRET, message.to, 'Dr. Weiss'],
      stop: () => peer.stop(),
    };
  },
};
