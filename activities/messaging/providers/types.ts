/**
 * The contract every provider adapter fulfils: one interface per channel, one folder per provider
 * (<channel>/<provider>/descriptor.ts and connector.ts). Adding a provider = one new folder, one line
 * in descriptors.ts and one in connectors.ts. Type-only and SDK-free: the API may read it.
 */
import { type z } from 'zod';
import { type Channel } from '../../../domain/messaging';

interface Outbound {
  /**
   * Stable for one message and attempt (derived from the message id): sent to the vendor where it
   * supports idempotency, so a retried activity never sends twice.
   */
  idempotencyKey: string;
}

export interface EmailMessage extends Outbound {
  from: { address: string; name?: string };
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
}

export interface SmsMessage extends Outbound {
  /** Sender number (E.164) or alphanumeric sender id. */
  from: string;
  /** E.164 number. */
  to: string;
  text: string;
}

export interface WhatsAppMessage extends Outbound {
  /** The clinic's WhatsApp number (E.164) or the vendor's sender id for it. */
  from: string;
  to: string;
  /** A pre-approved template (required outside the 24-hour customer-service window)… */
  template?: { name: string; language: string; parameters: string[] };
  /** …or free-form text inside the window. Exactly one of template and text. */
  text?: string;
}

export interface PushMessage extends Outbound {
  /** The device's registration token. */
  token: string;
  title: string;
  body: string;
  data?: Record<string, string>;
}

export interface MessageByChannel {
  email: EmailMessage;
  sms: SmsMessage;
  whatsapp: WhatsAppMessage;
  push: PushMessage;
}

/** What a vendor said when it accepted a message. */
export interface SendReceipt {
  providerMessageId: string;
}

export interface ChannelClient<C extends Channel> {
  /** Hands the message to the vendor. Throws ProviderError on failure. */
  send(message: MessageByChannel[C]): Promise<SendReceipt>;
  /** Checks credentials and connectivity without sending anything (the config test endpoint). Throws ProviderError. */
  verify(): Promise<void>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}

/**
 * Where each vendor's API lives. Production leaves it empty (the SDKs' defaults); regional
 * deployments and the test suite's local peers set base URLs per provider.
 */
export interface ProviderEndpoints {
  [provider: string]: string | undefined;
}

/**
 * What the API, the seed and the config parser need to know about a provider, without its SDK:
 * lives in <channel>/<provider>/descriptor.ts, which imports zod and domain/ only.
 */
export interface ProviderDescriptor<C extends Channel = Channel, Credentials = unknown> {
  /** Registry key, stored in the clinic's configuration: 'smtp', 'ses', 'twilio', … */
  provider: string;
  channel: C;
  /** Shown to admins. */
  label: string;
  /** Validates the clinic's credentials and sender identity for this provider. */
  credentials: z.ZodType<Credentials>;
  /** Credential fields that are secrets: encrypted at rest, masked in every API response. */
  secretFields: readonly string[];
}

/** The descriptor plus the code that talks to the vendor (<channel>/<provider>/connector.ts, with the SDK). Worker side only. */
export interface ProviderConnector<C extends Channel = Channel, Credentials = unknown> extends ProviderDescriptor<C, Credentials> {
  connect(credentials: Credentials, endpoints: ProviderEndpoints): ChannelClient<C>;
}
