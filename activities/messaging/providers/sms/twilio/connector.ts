/**
 * SMS through Twilio Programmable Messaging, with the official `twilio` SDK.
 *
 * Endpoint override, idempotency header and error reading are shared with Twilio WhatsApp in
 * ../../twilio-client.ts: a custom `httpClient` (the SDK's supported transport hook) sends every call to
 * endpoints.twilio when set (the SDK's defaults otherwise) and adds X-Idempotency-Key, which Twilio
 * itself ignores (Messages have no idempotency parameter) but which lets peers and logs correlate retries.
 */
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { connectTwilio } from '../../twilio-client';
import { type ProviderConnector } from '../../types';
import { type TwilioCredentials, twilioSmsDescriptor } from './descriptor';

export { type TwilioCredentials };

/** Twilio's error codes that say more than the HTTP status (https://www.twilio.com/docs/api/errors). */
const KIND_BY_TWILIO_CODE: Record<number, DeliveryErrorKind> = {
  21211: 'INVALID_RECIPIENT', // 'To' is not a valid phone number
  21408: 'INVALID_RECIPIENT', // sending to this number's region is not enabled
  21612: 'INVALID_RECIPIENT', // no route from this sender to this number
  21614: 'INVALID_RECIPIENT', // 'To' is not a mobile number
  21610: 'UNSUBSCRIBED', // the recipient replied STOP
  20003: 'AUTH', // authentication failed
  20005: 'AUTH', // account not active
  20429: 'RATE_LIMITED',
};

export function createTwilioSms({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): ProviderConnector<'sms', TwilioCredentials> {
  return {
    ...twilioSmsDescriptor,
    connect(creds, endpoints) {
      const { accountSid, authToken } = creds;
      const twilio = connectTwilio({ accountSid, authToken, baseUrl: endpoints.twilio, timeoutMs, kindByCode: KIND_BY_TWILIO_CODE, label: 'Twilio SMS' });
      return {
        async send(message) {
          // The activity passes the clinic's sender; the credential's own sender is the fallback.
          const sender = message.from || creds.from;
          const created = await twilio.call(message.idempotencyKey, (client) =>
            client.messages.create({
              to: message.to,
              body: message.text,
              ...(sender.startsWith('MG') ? { messagingServiceSid: sender } : { from: sender }),
            }),
          );
          return { providerMessageId: created.sid };
        },
        async verify() {
          await twilio.call(undefined, (client) => client.api.v2010.accounts(accountSid).fetch());
        },
        async close() {
          twilio.close();
        },
      };
    },
  };
}

export const twilioSms = createTwilioSms();
