/**
 * WhatsApp through Twilio's Messages API with the official `twilio` SDK: `whatsapp:`-prefixed
 * addresses, approved templates as Content API SIDs (HX…) with numbered contentVariables, free
 * text as Body inside the 24-hour window.
 *
 * Endpoint override: endpoints.twilio (shared with Twilio SMS; see ../../twilio-client.ts).
 * Idempotency: Twilio has none for Messages; the key travels as X-Idempotency-Key for logs and peers.
 */
import { type DeliveryErrorKind } from '../../../../../domain/messaging';
import { ProviderError } from '../../provider-error';
import { connectTwilio } from '../../twilio-client';
import { assertTemplateXorText } from '../template-or-text';
import { type ProviderConnector, type WhatsAppMessage } from '../../types';
import { CONTENT_SID, type TwilioWhatsAppCredentials, twilioWhatsAppDescriptor } from './descriptor';

/** Twilio codes seen synchronously on WhatsApp sends (https://www.twilio.com/docs/api/errors). */
const KIND_BY_TWILIO_CODE: Record<number, DeliveryErrorKind> = {
  20003: 'AUTH', // authentication failed
  20005: 'AUTH', // account not active
  63001: 'AUTH', // the WhatsApp channel could not authenticate Twilio's request
  20429: 'RATE_LIMITED', // too many requests
  63018: 'RATE_LIMITED', // channel rate limit exceeded
  21211: 'INVALID_RECIPIENT', // 'To' is not a valid phone number
  63003: 'INVALID_RECIPIENT', // the channel could not find the 'To' address
  63024: 'INVALID_RECIPIENT', // invalid message recipient
  21610: 'UNSUBSCRIBED', // the recipient opted out
  63007: 'REJECTED', // no WhatsApp channel for the 'From' address
  63016: 'REJECTED', // free-form message outside the 24-hour window
  21655: 'REJECTED', // ContentSid invalid
  21656: 'REJECTED', // ContentVariables invalid
  63027: 'REJECTED', // template does not exist for this language
  63028: 'REJECTED', // template parameter count mismatch
  63012: 'TRANSIENT', // the channel provider had an internal error
};

const E164 = /^\+[1-9]\d{1,14}$/;
export { type TwilioWhatsAppCredentials };

const whatsappAddress = (address: string) => (E164.test(address) ? `whatsapp:${address}` : address);

function contentSidFor(template: NonNullable<WhatsAppMessage['template']>, contentSids: Record<string, string>): string {
  const sid = CONTENT_SID.test(template.name) ? template.name : (contentSids[`${template.name}:${template.language}`] ?? contentSids[template.name]);
  if (!sid) throw new ProviderError('REJECTED', 'twilio:no-content-sid', 'Twilio WhatsApp: no Content SID configured for this template');
  return sid;
}

/** Template or text as Twilio's create parameters. Content variables are numbered from 1, like the template's {{1}}. */
function content(message: WhatsAppMessage, contentSids: Record<string, string>) {
  assertTemplateXorText(message, 'Twilio WhatsApp');
  if (message.template) {
    const variables = Object.fromEntries(message.template.parameters.map((value, i) => [String(i + 1), value]));
    return { contentSid: contentSidFor(message.template, contentSids), contentVariables: JSON.stringify(variables) };
  }
  return { body: message.text };
}

export function createTwilioWhatsApp({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): ProviderConnector<'whatsapp', TwilioWhatsAppCredentials> {
  return {
    ...twilioWhatsAppDescriptor,
    connect(creds, endpoints) {
      const twilio = connectTwilio({ ...creds, baseUrl: endpoints.twilio, timeoutMs, kindByCode: KIND_BY_TWILIO_CODE, label: 'Twilio WhatsApp' });
      return {
        async send(message) {
          const params = content(message, creds.contentSids);
          // The activity passes the clinic's sender; the credential's own sender is the fallback.
          const sender = message.from || creds.from;
          const created = await twilio.call(message.idempotencyKey, (client) =>
            client.messages.create({
              to: whatsappAddress(message.to),
              ...(sender.startsWith('MG') ? { messagingServiceSid: sender } : { from: whatsappAddress(sender) }),
              ...params,
            }),
          );
          return { providerMessageId: created.sid };
        },
        async verify() {
          await twilio.call(undefined, (client) => client.api.v2010.accounts(creds.accountSid).fetch());
        },
        async close() {
          twilio.close();
        },
      };
    },
  };
}

export const twilioWhatsApp = createTwilioWhatsApp();
