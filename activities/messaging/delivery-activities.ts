import { ApplicationFailure, Context } from '@temporalio/activity';
import { servingProviders } from '../../domain/serving-providers';
import {
  channelsByPreference,
  type DeliveryFailure,
  type DeliveryPlan,
  type DeliveryStep,
  type FirstTryFailure,
  type MessageDeliveryResult,
  type ProviderEntryRef,
  type RateLimits,
  type SendOutcome,
  SKIP,
} from '../../domain/message-delivery';
import { fill, isTemplateKey, renderTemplate, TemplateError } from '../../domain/message-templates';
import { type Channel, type ChannelSettings, channelSettingsSchema, isPermanent } from '../../domain/messaging';
import { type PrismaClient } from '../../prisma/client';
import { storedProvidersSchema } from '../../prisma/communication-config';
import { type CommunicationConfig, type Prisma } from '../../prisma/generated/client';
import { providerEntryLabel, recordDelivery, recordDeliveryRetry, setCircuitState } from '../observability/business-metrics';
import { createCircuitBreaker } from './circuit-breaker';
import { type MessagingDeps } from './messaging-deps';
import { clientFor } from './provider-access';
import { ProviderError } from './providers/provider-error';
import { type MessageByChannel, type WhatsAppMessage } from './providers/types';
import { createRateLimiter } from './rate-limiter';
import { addressFor, type RecipientOverride } from './recipients';

export interface DeliveryActivityDeps extends MessagingDeps {
  prisma: PrismaClient;
}

const loadMessage = (prisma: PrismaClient, clinicId: string, messageId: string) =>
  prisma.message.findFirstOrThrow({ where: { id: messageId, clinicId }, include: { patient: { include: { deviceTokens: true } }, clinic: true } });
type LoadedMessage = Awaited<ReturnType<typeof loadMessage>>;

/** The idempotency key of one message on one provider entry: the same for every retry and every run of the chain. */
export const attemptKeyOf = (messageId: string, channel: Channel, entryId: string) => `${messageId}:${channel}:${entryId}`;

/** Messages a run of the chain may still change: a provider webhook may already have said READ or BOUNCED. */
const IN_FLIGHT = ['PENDING', 'SENDING', 'RETRYING'] as const;

export interface SendInput {
  clinicId: string;
  messageId: string;
  channel: Channel;
  entry: ProviderEntryRef;
  round: number;
  /** Tries of this entry in this run; the last failed one counts against the entry's circuit. */
  retryAttempts: number;
  /** Tries of this entry in this run before this activity's (the first try made at once). */
  triedBefore?: number;
  limits: RateLimits;
  deadlineMs: number;
}

/** When a try is made, on Temporal's clock, and which try of its entry in this run it is. */
export interface TryClock {
  nowMs: number;
  attemptNumber: number;
}

/**
 * The steps of delivering a message, shared by the delivery workflow's activities (below) and the
 * first try made at once by whoever wrote the message (deliver-at-once.ts).
 */
export function createDeliverySteps(deps: DeliveryActivityDeps) {
  const { prisma } = deps;
  const circuits = createCircuitBreaker(prisma);
  const limiter = createRateLimiter(prisma);

  return {
    /**
     * Decides which channels and provider entries to try, after the patient's preferences,
     * suppressions and missing addresses; ids, names and the deadline only. Run before every run
     * of the chain, so a configuration the clinic fixed meanwhile is the one used.
     */
    async plan({ clinicId, messageId }: { clinicId: string; messageId: string }): Promise<DeliveryPlan> {
      const known = await loadForPlan(clinicId, messageId);
      const plan = await planFor(known);
      await prisma.message.updateMany({ where: { id: messageId, clinicId, status: { in: [...IN_FLIGHT] } }, data: { status: 'SENDING', nextAttemptAt: null } });
      return plan;
    },

    /**
     * One try of one provider entry: the entry's circuit, the clinic's rate limit, then the send,
     * logged in the delivery log. A retry after the provider already accepted the message (the
     * worker died before reporting back) returns the earlier receipt instead of sending again.
     * A failed send throws its ProviderError, after the log and the circuit have counted it.
     */
    tryEntry: (input: SendInput, clock: TryClock): Promise<SendOutcome> => send(input, clock),

    /**
     * The first try of a message its caller has just claimed (PENDING → SENDING): the first entry
     * of the first channel of its plan, on one read of the message and its configuration. Answers
     * `finished` when it was delivered (or the patient's choices suppress it); otherwise what its
     * delivery workflow should go on from: the failed try, or nothing when no try was made (its
     * deadline passed, no route, an open circuit, a full rate limit).
     */
    async firstTry({ clinicId, messageId, nowMs }: { clinicId: string; messageId: string; nowMs: number }): Promise<{ finished: true } | { finished: false; failed?: FirstTryFailure }> {
      const known = await loadForPlan(clinicId, messageId);
      const plan = await planFor(known);
      const round = plan.roundsBefore + 1;
      const failures = plan.skipped.map((s) => ({ ...s, round }));
      if (plan.suppressed) {
        await finish({ clinicId, messageId, result: { status: 'SUPPRESSED', rounds: 1, failures } });
        return { finished: true };
      }
      const step = plan.steps[0];
      const entry = step?.providers[0];
      if (!step || !entry || nowMs >= plan.deadlineMs) return { finished: false };
      const input = { clinicId, messageId, channel: step.channel, entry, round, retryAttempts: step.retryAttempts, limits: step.limits, deadlineMs: plan.deadlineMs };
      const config = entry.source === 'clinic' ? (known.configs.find((c) => c.channel === step.channel) ?? null) : null;
      let sent: SendOutcome;
      try {
        sent = await send(input, { nowMs, attemptNumber: 1 }, { message: known.message, config });
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        const about = { channel: step.channel, entryId: entry.entryId, label: entry.label, provider: entry.provider, round };
        return { finished: false, failed: { ...about, kind: err.kind, ...(err.code ? { code: err.code } : {}), permanent: err.permanent } };
      }
      if (sent.outcome !== 'accepted') return { finished: false };
      const result = { status: 'DELIVERED' as const, channel: step.channel, provider: entry.provider, entryId: entry.entryId, label: entry.label, rounds: 1, failures };
      await finish({ clinicId, messageId, result }, sent.providerMessageId);
      return { finished: true };
    },

    markRetrying,
    finish,
  };

  /** What a plan is made from: the message with its patient, the clinic's channels, the runs so far. */
  async function loadForPlan(clinicId: string, messageId: string) {
    const [message, configs, lastRound] = await Promise.all([
      loadMessage(prisma, clinicId, messageId),
      prisma.communicationConfig.findMany({ where: { clinicId } }),
      prisma.messageAttempt.aggregate({ where: { clinicId, messageId }, _max: { round: true } }),
    ]);
    return { message, configs, roundsBefore: lastRound._max.round ?? 0 };
  }

  /** The plan `plan` answers, from what loadForPlan read. */
  async function planFor({ message, configs, roundsBefore }: Awaited<ReturnType<typeof loadForPlan>>): Promise<DeliveryPlan> {
    const { clinicId } = message;
    const override = message.recipient as RecipientOverride;
    const steps: DeliveryStep[] = [];
    const { ordered, optedOut } = channelsByPreference(message.channels, message.patient);
    const skipped: DeliveryFailure[] = optedOut.map((channel) => ({ channel, kind: SKIP.optedOut }));
    const addresses = ordered.map((channel) => ({ channel, address: addressFor(channel, override, message.patient) }));
    const suppressions = await prisma.suppression.findMany({
      where: { clinicId, OR: addresses.flatMap(({ channel, address }) => (address ? [{ channel, address }] : [])) },
      select: { channel: true, address: true },
    });
    for (const { channel, address } of addresses) {
      if (!address) {
        skipped.push({ channel, kind: SKIP.noAddress });
        continue;
      }
      if (suppressions.some((s) => s.channel === channel && s.address === address)) {
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
    return { steps, skipped, suppressed, deadlineMs: message.expiresAt.getTime(), roundsBefore };
  }

  /**
   * The try itself. `known` is the message and configuration its caller read a moment ago, for a
   * message it has just claimed: such a message has no earlier receipt to look for.
   */
  async function send(input: SendInput, { nowMs, attemptNumber }: TryClock, known?: { message: LoadedMessage; config: CommunicationConfig | null }): Promise<SendOutcome> {
    const { clinicId, messageId, channel, entry, round } = input;
    const attemptKey = attemptKeyOf(messageId, channel, entry.entryId);
    if (!known) {
      const accepted = await prisma.messageAttempt.findFirst({ where: { clinicId, attemptKey, outcome: 'ACCEPTED' } });
      if (accepted?.providerMessageId) return { outcome: 'accepted', providerMessageId: accepted.providerMessageId };
    }

    const where = { clinicId, channel, entryId: entry.entryId, provider: entry.provider };
    const metric = { channel, providerEntry: providerEntryLabel(entry) };
    const gate = await circuits.gate(where, nowMs);
    if (!gate.allowed) {
      setCircuitState({ ...metric, state: 'open' });
      recordDelivery({ ...metric, outcome: 'skipped_circuit_open' });
      return { outcome: 'circuit-open', reopensAtMs: gate.reopensAtMs };
    }
    const { waitMs } = await limiter.reserveSendSlot({ clinicId, channel, limits: input.limits, at: nowMs });
    if (waitMs > 0) return { outcome: 'rate-limited', waitMs };

    if (attemptNumber > 1 || round > 1) recordDeliveryRetry(metric);
    // On Temporal's clock, like the pauses between runs, so the log shows them as the workflow waited them.
    const startedAt = new Date(nowMs);
    const began = Date.now();
    const log = (data: Pick<Prisma.MessageAttemptUncheckedCreateInput, 'outcome' | 'providerMessageId' | 'errorKind' | 'errorCode'>) => {
      const finishedAt = new Date(nowMs + (Date.now() - began));
      return prisma.messageAttempt.upsert({
        where: { attemptKey_round_attemptNumber: { attemptKey, round, attemptNumber } },
        create: { clinicId, messageId, channel, provider: entry.provider, providerEntryId: entry.entryId, providerLabel: entry.label, attemptKey, round, attemptNumber, startedAt, finishedAt, ...data },
        update: { ...data, finishedAt },
      });
    };

    try {
      const [message, config] = known
        ? [known.message, known.config]
        : await Promise.all([
            loadMessage(prisma, clinicId, messageId),
            entry.source === 'clinic' ? prisma.communicationConfig.findUnique({ where: { clinicId_channel: { clinicId, channel } } }) : Promise.resolve(null),
          ]);
      const client = await clientFor(deps, { clinicId, channel, ...entry }, config);
      const to = addressFor(channel, message.recipient as RecipientOverride, message.patient);
      if (!to) throw new ProviderError('INVALID_RECIPIENT', 'clinicflow:no-address', `No ${channel} address`);
      const content = render(message, { clinicName: message.clinic.name, ...(message.patient ? { patientName: message.patient.firstName } : {}) });
      const template = channel === 'whatsapp' ? whatsAppTemplateFor(message.templateKey, content, settingsOf(entry, config, channel)) : undefined;
      const receipt = await client.send(outbound(channel, to, content, attemptKey, template));
      await log({ outcome: 'ACCEPTED', providerMessageId: receipt.providerMessageId });
      await circuits.record(where, true, nowMs);
      recordDelivery({ ...metric, outcome: 'delivered' });
      setCircuitState({ ...metric, state: 'closed' });
      return { outcome: 'accepted', providerMessageId: receipt.providerMessageId };
    } catch (err) {
      const failure = asProviderError(err);
      await log({ outcome: 'FAILED', errorKind: failure.kind, errorCode: failure.code });
      await afterPermanentFailure(clinicId, messageId, channel, failure);
      // Only the provider's own trouble counts against its circuit, once per exhausted run of tries; a bad address is not its fault.
      const exhausted = failure.permanent || attemptNumber >= input.retryAttempts;
      recordDelivery({ ...metric, outcome: failure.permanent ? 'permanent_failure' : 'transient_failure' });
      if (exhausted && (!isPermanent(failure.kind) || failure.kind === 'AUTH')) {
        const { opened } = await circuits.record(where, false, nowMs);
        if (opened) setCircuitState({ ...metric, state: 'open' });
      }
      throw failure;
    }
  }

  /** While the message waits for its next run: RETRYING, with the time of that run and why the last one failed. */
  async function markRetrying({ clinicId, messageId, nextAttemptAtMs, failures }: { clinicId: string; messageId: string; nextAttemptAtMs: number; failures: DeliveryFailure[] }): Promise<void> {
    await prisma.message.updateMany({
      where: { id: messageId, clinicId, status: { in: [...IN_FLIGHT] } },
      data: { status: 'RETRYING', nextAttemptAt: new Date(nextAttemptAtMs), failures: failures as unknown as Prisma.InputJsonValue },
    });
  }

  /** Records the outcome on the message row (the delivery log's summary); the receipt is looked up unless given. */
  async function finish({ clinicId, messageId, result }: { clinicId: string; messageId: string; result: MessageDeliveryResult }, providerMessageId?: string): Promise<void> {
    // Outcomes of the whole message that no single attempt reports.
    if (result.status === 'EXPIRED' || result.status === 'SUPPRESSED') {
      recordDelivery({ channel: result.failures.at(-1)?.channel ?? 'none', providerEntry: 'none', outcome: result.status === 'EXPIRED' ? 'expired' : 'suppressed' });
    }
    const accepted =
      providerMessageId !== undefined
        ? { providerMessageId }
        : result.status === 'DELIVERED' && result.channel && result.entryId
          ? await prisma.messageAttempt.findFirst({ where: { clinicId, attemptKey: attemptKeyOf(messageId, result.channel, result.entryId), outcome: 'ACCEPTED' } })
          : null;
    await prisma.message.updateMany({
      where: { id: messageId, clinicId, status: { in: [...IN_FLIGHT] } },
      data: {
        status: result.status,
        channel: result.channel ?? null,
        provider: result.provider ?? null,
        providerEntryId: result.entryId ?? null,
        providerMessageId: accepted?.providerMessageId ?? null,
        failures: result.failures as unknown as Prisma.InputJsonValue,
        nextAttemptAt: null,
        deliveredAt: result.status === 'DELIVERED' ? new Date() : null,
      },
    });
  }

  /** The settings that belong to the provider's owner: a global provider's templates are the platform's, not the clinic's. */
  function settingsOf(entry: ProviderEntryRef, config: CommunicationConfig | null, channel: Channel): ChannelSettings {
    const raw = entry.source === 'clinic' ? config?.settings : deps.globalConfig[channel]?.settings;
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

export type DeliverySteps = ReturnType<typeof createDeliverySteps>;

/** The delivery workflow's activities: its steps, on Temporal's clock and with its retries. */
export function createDeliveryActivities(deps: DeliveryActivityDeps) {
  const steps = createDeliverySteps(deps);
  return {
    prepareDelivery: steps.plan,

    /**
     * One try of one provider entry in one activity (one round trip to Temporal per attempt),
     * refused past the message's deadline. Vendor failures become ApplicationFailures typed with
     * their ProviderError kind, retried by the workflow's policy unless permanent.
     */
    async sendThroughProvider(input: SendInput): Promise<SendOutcome> {
      const info = Context.current().info;
      // Temporal's clock (the server's, also under time skipping): when this attempt was due.
      const nowMs = info.currentAttemptScheduledTimestampMs;
      if (nowMs >= input.deadlineMs) throw ApplicationFailure.create({ type: 'EXPIRED', message: 'The message is past its deadline', nonRetryable: true });
      try {
        return await steps.tryEntry(input, { nowMs, attemptNumber: info.attempt + (input.triedBefore ?? 0) });
      } catch (err) {
        if (!(err instanceof ProviderError)) throw err;
        throw ApplicationFailure.create({ type: err.kind, message: err.message, details: [err.code], nonRetryable: err.permanent, nextRetryDelay: err.options.retryAfterMs });
      }
    },

    markMessageRetrying: steps.markRetrying,
    finishMessage: steps.finish,
  };
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
