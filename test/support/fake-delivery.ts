import { type Activities } from '../../activities';
import { type MessageDeliveryResult, type ProviderEntryRef } from '../../domain/message-delivery';
import { type SendInput } from '../../activities/messaging/delivery-activities';

/** The one provider entry of fakeDelivery's chain. */
export const FAKE_SMTP_ENTRY: ProviderEntryRef = { entryId: 'smtp', label: 'smtp', provider: 'smtp', source: 'clinic' };

/**
 * Delivery activities for workflow tests whose subject is not the delivery itself (licensing,
 * appointments, the channel test): a chain of one SMTP entry that takes every message, or refuses
 * each with `refuse()`. Every send and every outcome is reported to the test.
 */
export function fakeDelivery({ onSend, onFinish, refuse }: { onSend?: (input: SendInput) => void; onFinish?: (result: MessageDeliveryResult) => void; refuse?: () => Error } = {}): Partial<Activities> {
  return {
    prepareDelivery: async () => ({
      steps: [{ channel: 'email', providers: [FAKE_SMTP_ENTRY], retryAttempts: 1, limits: {} }],
      skipped: [],
      suppressed: false,
      deadlineMs: Number.MAX_SAFE_INTEGER,
      roundsBefore: 0,
    }),
    sendThroughProvider: async (input) => {
      onSend?.(input);
      if (refuse) throw refuse();
      return { outcome: 'accepted', providerMessageId: `sent-${input.messageId}` };
    },
    markMessageRetrying: async () => undefined,
    finishMessage: async ({ result }) => onFinish?.(result),
  };
}
