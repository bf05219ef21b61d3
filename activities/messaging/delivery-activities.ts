import { ApplicationFailure, Context } from '@temporalio/activity';
import { type ProviderSource, servingProviders } from '../../domain/channel-test';
import { channelsByPreference, type DeliveryFailure, type DeliveryPlan, type DeliveryStep, type MessageDeliveryResult, SKIP } from '../../domain/message-delivery';
import { fill, isTemplateKey, renderTemplate, TemplateError } from '../../domain/message-templates';
import { type Channel, type ChannelSettings, channelSettingsSchema } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { type Prisma } from '../../prisma/generated/client';
import { type MessagingDeps } from './messaging-deps';
import { clientFor } from './provider-access';
import { ProviderError } from './providers/provider-error';
import { type MessageByChannel, type WhatsAppMessage } from './providers/types';
import { addressFor, type RecipientOverride } from './recipients';

export interface DeliveryActivityDeps extends MessagingDeps {
  prisma: PrismaClient;
}

const loadMessage = (prisma: PrismaClient, clinicId: string, messageId: string) =>
  prisma.message.findFirstOrThrow({ where: { id: messageId, clinicId }, include: { patient: { include: { deviceTokens: true } }, clinic: true } });

/** The idempotency key of one message on one provider: the same for every retry of that send. */
export const attemptKeyOf = (messageId: string, channel: Channel, provider: string) => `${messageId}:${channel}:${provider}`;

export function createDeliveryActivities(deps: DeliveryActivityDeps) {
  const { prisma } = deps;

  return {
    /** Decides which channels and providers to try, after the patient's preferences, suppressions and missing addresses; ids and names only. */
    async prepareDelivery({ clinicId, messageId }: { clinicId: string; messageId: string }): Promise<DeliveryPlan> {
      const message = await loadMessage(prisma, clinicId, messageId);
      const configs = await prisma.communicationConfig.findMany({ where: { clinicId } });
      const override = message.recipient as RecipientOverride;
      const steps: DeliveryStep[] = [];
      const { ordered, optedOut } = channelsByPreference(message.channels, message.patient);
      const skipped: DeliveryFailure[] = optedOut.map((channel) => ({ channel, kind: SKIP.optedOut }));
      for (const channel of ordered) {
        const address = addressFor(channel, override, message.patient);
        if (!address) {
          skipped.push({ channel, kind: SKIP.noAddress });
          continue;
        }
        if (await prisma.suppression.findUnique({ where: { clinicId_channel_address: { clinicId, channel, address } } })) {
          skipped.push({ channel, kind: SKIP.suppressed });
          continue;
        }
        const config = configs.find((c) => c.channel === channel);
        if (config && !config.enabled) {
          skipped.push({ channel, kind: SKIP.disabled });
          continue;
        }
        const clinicChain = config ? { providers: storedProvidersSchema.parse(config.providers), settings: config.settings } : null;
        const { providers, settings } = servingProviders(clinicChain, deps.globalConfig[channel]);
        if (providers.length === 0) {
          skipped.push({ channel, kind: SKIP.noProvider });
          continue;
        }
        const limits = settings.rateLimits;
        steps.push({
          channel,
          providers,
          retryAttempts: settings.retryAttempts,
          limits: { perSecond: limits.burst, perMinute: limits.perMinute, perHour: limits.perHour, perDay: limits.perDay },
        });
      }
      // Nobody failed: the patient (or the clinic's suppression list) ruled out every channel.
      const refused: string[] = [SKIP.suppressed, SKIP.optedOut];
      const suppressed = steps.length === 0 && skipped.length > 0 && skipped.every((s) => refused.includes(s.kind));
      await prisma.message.update({ where: { id: messageId }, data: { status: 'SENDING' } });
      return { steps, skipped, suppressed };
    },

    /**
     * Hands the message to one provider and logs the attempt. A retry after the provider already
     * accepted it (the worker died before reporting back) returns the earlier receipt instead of
     * sending again. Vendor failures become ApplicationFailures typed with their ProviderError kind.
     */
    async sendThroughProvider(input: { clinicId: string; messageId: string; channel: Channel; provider: string; source: 'clinic' | 'global' }): Promise<{ providerMessageId: string }> {
      const { clinicId, messageId, channel, provider, source } = input;
      const attemptKey = attemptKeyOf(messageId, channel, provider);
      const accepted = await prisma.messageAttempt.findFirst({ where: { clinicId, attemptKey, outcome: 'ACCEPTED' } });
      if (accepted?.providerMessageId) return { providerMessageId: accepted.providerMessageId };

      const attemptNumber = Context.current().info.attempt;
      const startedAt = new Date();
      const log = (data: Omit<Prisma.MessageAttemptUncheckedCreateInput, 'clinicId' | 'messageId' | 'channel' | 'provider' | 'attemptKey' | 'attemptNumber' | 'startedAt'>) =>
        prisma.messageAttempt.upsert({
          where: { attemptKey_attemptNumber: { attemptKey, attemptNumber } },
          create: { clinicId, messageId, channel, provider, attemptKey, attemptNumber, startedAt, ...data },
          update: { ...data, finishedAt: new Date() },
        });

      try {
        const message = await loadMessage(prisma, clinicId, messageId);
        const client = await clientFor(deps, { clinicId, channel, provider, source });
        const to = addressFor(channel, message.recipient as RecipientOverride, message.patient);
        if (!to) throw new ProviderError('INVALID_RECIPIENT', 'clinicflow:no-address', `No ${channel} address`);
        const content = render(message, { clinicName: message.clinic.name, ...(message.patient ? { patientName: message.patient.firstName } : {}) });
        const template = channel === 'whatsapp' ? whatsAppTemplateFor(message.templateKey, content, await settingsOf(clinicId, channel, source)) : undefined;
        const receipt = await client.send(outbound(channel, to, content, attemptKey, template));
        await log({ outcome: 'ACCEPTED', providerMessageId: receipt.providerMessageId });
        return receipt;
      } catch (err) {
        const failure = asProviderError(err);
        await log({ outcome: 'FAILED', errorKind: failure.kind, errorCode: failure.code });
        await afterPermanentFailure(clinicId, messageId, channel, failure);
        throw ApplicationFailure.create({
          type: failure.kind,
          message: failure.message,
          details: [failure.code],
          nonRetryable: failure.permanent,
          nextRetryDelay: failure.options.retryAfterMs,
        });
      }
    },

    /** Records the outcome on the message row (the delivery log's summary). */
    async finishMessage({ clinicId, messageId, result }: { clinicId: string; messageId: string; result: MessageDeliveryResult }): Promise<void> {
      const accepted =
        result.status === 'DELIVERED' && result.channel && result.provider
          ? await prisma.messageAttempt.findFirst({ where: { clinicId, attemptKey: attemptKeyOf(messageId, result.channel, result.provider), outcome: 'ACCEPTED' } })
          : null;
      // Only a message still on its way: a provider webhook may already have said READ or BOUNCED.
      await prisma.message.updateMany({
        where: { id: messageId, clinicId, status: { in: ['PENDING', 'SENDING'] } },
        data: {
          status: result.status,
          channel: result.channel ?? null,
          provider: result.provider ?? null,
          providerMessageId: accepted?.providerMessageId ?? null,
          failures: result.failures as unknown as Prisma.InputJsonValue,
          deliveredAt: result.status === 'DELIVERED' ? new Date() : null,
        },
      });
    },
  };

  /** The settings that belong to the provider's owner: a global provider's templates are the platform's, not the clinic's. */
  async function settingsOf(clinicId: string, channel: Channel, source: ProviderSource): Promise<ChannelSettings> {
    const raw = source === 'clinic' ? (await prisma.communicationConfig.findUnique({ where: { clinicId_channel: { clinicId, channel } } }))?.settings : deps.globalConfig[channel]?.settings;
    return channelSettingsSchema.parse(raw ?? {});
  }

  async function afterPermanentFailure(clinicId: string, messageId: string, channel: Channel, failure: ProviderError): Promise<void> {
    if (!failure.permanent) return;
    const message = await prisma.message.findFirst({ where: { id: messageId, clinicId }, include: { patient: { include: { deviceTokens: true } } } });
    const address = message && addressFor(channel, message.recipient as RecipientOverride, message.patient);
    if (!address) return;
    // A device token the push service no longer knows is pruned; an opt-out at the vendor is remembered.
    if (channel === 'push' && failure.kind === 'INVALID_RECIPIENT') await prisma.deviceToken.deleteMany({ where: { clinicId, token: address } });
    if (failure.kind === 'UNSUBSCRIBED') {
      await prisma.suppression.upsert({
        where: { clinicId_channel_address: { clinicId, channel, address } },
        create: { clinicId, channel, address, reason: 'UNSUBSCRIBED' },
        update: {},
      });
    }
  }
}

interface Content {
  subject: string;
  text: string;
  /** The language the text is in (a template without this language falls back to English). */
  language: string;
  variables: Record<string, string | number>;
}

/** Known facts (clinic and patient name) fill in unless the sender gave other values. */
function render(message: { templateKey: string | null; variables: Prisma.JsonValue; subject: string | null; body: string | null; language: string }, known: Record<string, string>): Content {
  const variables = { ...known, ...((message.variables ?? {}) as Record<string, string | number>) };
  if (message.templateKey) {
    if (!isTemplateKey(message.templateKey)) throw new ProviderError('REJECTED', 'clinicflow:unknown-template', `Unknown template ${message.templateKey}`);
    return { ...renderTemplate(message.templateKey, message.language, variables), variables };
  }
  return { subject: fill(message.subject ?? '', variables), text: fill(message.body ?? '', variables), language: message.language, variables };
}

/**
 * The clinic's approved WhatsApp template for this message, when it has one: messages sent outside
 * WhatsApp's 24-hour window (reminders, usually) are delivered only as templates. Without a mapping
 * the text goes as free-form text, which WhatsApp accepts inside the window only.
 */
function whatsAppTemplateFor(templateKey: string | null, content: Content, settings: ChannelSettings): WhatsAppMessage['template'] {
  const approved = templateKey && isTemplateKey(templateKey) ? settings.whatsappTemplates?.[templateKey] : undefined;
  if (!approved) return undefined;
  const parameters = approved.parameters.map((name) => {
    const value = content.variables[name];
    if (value === undefined) throw new TemplateError(`Variable ${name} is missing`);
    return String(value);
  });
  return { name: approved.name, language: approved.languages[content.language] ?? content.language, parameters };
}

function outbound(channel: Channel, to: string, content: Content, idempotencyKey: string, template?: WhatsAppMessage['template']): MessageByChannel[Channel] {
  switch (channel) {
    case 'email':
      // The sender address comes from the provider's credentials; the account may only send as itself.
      return { from: { address: '' }, to, subject: content.subject, text: content.text, idempotencyKey };
    case 'sms':
      return { from: '', to, text: content.text, idempotencyKey };
    case 'whatsapp':
      return template ? { from: '', to, template, idempotencyKey } : { from: '', to, text: content.text, idempotencyKey };
    case 'push':
      return { token: to, title: content.subject, body: content.text, idempotencyKey };
  }
}

function asProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof TemplateError) return new ProviderError('REJECTED', 'clinicflow:template', err.message);
  // Anything else (database hiccup, bug) is worth another try; its message may hold data, so it is not copied.
  return new ProviderError('TRANSIENT', 'clinicflow:internal', 'Unexpected error while sending', { cause: err });
}
