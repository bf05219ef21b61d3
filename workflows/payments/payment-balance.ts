import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { type ChaseStepResult, dunningSteps, paymentReceivedSignal } from '../../domain/payment-reminders';
import { type PaymentBalanceInput } from '../../domain/temporal';
import { deliverMessage } from '../messaging/deliver-message';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const DAY = 86_400_000;

export type PaymentBalanceOutcome = { status: 'SETTLED' | 'FINAL_NOTICE_SENT' };

/**
 * One patient's unpaid balance from a monthly run: reminds them with the amount and a payment link,
 * follows up on the clinic's days while it stays unpaid, and finally tells the clinic's accountants.
 * A payment (recorded by staff or reported by Stripe) signals it, and it stops as soon as nothing is
 * owed; a partial payment only lowers what the next follow-up asks for.
 */
export async function paymentBalanceWorkflow({ clinicId, reminderId }: PaymentBalanceInput): Promise<PaymentBalanceOutcome> {
  let paymentArrived = false;
  setHandler(paymentReceivedSignal, () => {
    paymentArrived = true;
  });

  async function send(step: Promise<ChaseStepResult>): Promise<boolean> {
    const result = await step;
    if (result.settled) return false;
    for (const messageId of result.messageIds) await deliverMessage(clinicId, messageId, { patientId: result.patientId });
    return true;
  }

  const plan = await acts.paymentChasePlan({ clinicId });
  const remindedAt = Date.now();
  if (!(await send(acts.createPaymentChaseMessage({ clinicId, reminderId, step: null })))) return { status: 'SETTLED' };

  for (const step of dunningSteps(plan)) {
    // Until the step's day, re-reading the balance whenever a payment is reported.
    for (;;) {
      const wait = remindedAt + step.day * DAY - Date.now();
      if (wait <= 0 || !(await condition(() => paymentArrived, wait))) break;
      paymentArrived = false;
      if (await acts.checkPaymentBalance({ clinicId, reminderId })) return { status: 'SETTLED' };
    }
    const next = step.kind === 'follow-up' ? acts.createPaymentChaseMessage({ clinicId, reminderId, step }) : acts.createPaymentFinalNotice({ clinicId, reminderId });
    if (!(await send(next))) return { status: 'SETTLED' };
  }
  return { status: 'FINAL_NOTICE_SENT' };
}
