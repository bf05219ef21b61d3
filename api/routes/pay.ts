/**
 * GET /pay/:token: the link in a patient's payment reminder. The signed token names the reminder;
 * following it opens a Stripe Checkout for what the patient owes at that moment (the reminder's
 * amount may have changed, and Checkout Sessions expire within a day while the link must last the
 * weeks of follow-ups). Nothing owed any more: a short note instead. A month after the chase's last
 * follow-up the link has expired (410). The token is a credential: the access log redacts it.
 */
import { payLinkSettings, reminderOfPayToken } from '../../activities/payments/pay-links';
import { scopedToClinic } from '../../prisma/tenant';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { checkoutForDues } from '../payments/checkout';
import { createStripeClient } from '../payments/stripe-client';
import { text } from '../../domain/text';
import { payLinkExpiresAt } from '../../domain/payment-reminders';
import { paymentReminderSettingsOf } from '../../domain/payment-reminder-settings';

export function payRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const stripe = createStripeClient(deps.config);
  const links = payLinkSettings(deps.config);
  return r.route({
    method: 'get',
    path: '/:token',
    summary: 'Pay an outstanding balance from a reminder (redirects to Stripe Checkout)',
    access: 'public',
    params: z.object({ token: text().min(10).max(200) }),
    responses: {
      303: { description: 'To Stripe Checkout for what is owed now' },
      200: { description: 'Nothing is owed any more' },
      404: { description: 'Not a payment link' },
      410: { description: 'PAYMENT_LINK_EXPIRED: the chase it came with is long over' },
      503: { description: 'Card payments are not set up, or Stripe did not answer' },
    },
    handler: async ({ params }, _req, res) => {
      const reminderId = reminderOfPayToken(links.secret, params.token);
      const reminder = reminderId
        ? await deps.prisma.paymentReminder.findUnique({ where: { id: reminderId }, select: { clinicId: true, patientId: true, createdAt: true, clinic: { select: { name: true, settings: true } } } })
        : null;
      if (!reminder) throw ApiError.notFound('Payment link');
      const now = deps.now?.() ?? new Date();
      if (now > payLinkExpiresAt(reminder.createdAt, paymentReminderSettingsOf(reminder.clinic.settings))) {
        throw new ApiError(410, 'PAYMENT_LINK_EXPIRED', `This payment link has expired; please contact ${reminder.clinic.name}`);
      }
      if (!stripe) throw new ApiError(503, 'STRIPE_NOT_CONFIGURED', 'Card payments are not set up on this platform');
      const back = links.baseUrl;
      const checkout = await checkoutForDues(stripe, scopedToClinic(deps.prisma, reminder.clinicId), { clinicId: reminder.clinicId, patientId: reminder.patientId, successUrl: back, cancelUrl: back });
      if (!checkout?.session.url) {
        res.type('text/plain').send(`Thank you: nothing is owed to ${reminder.clinic.name} at the moment.`);
        return;
      }
      res.redirect(303, checkout.session.url);
    },
  });
}
