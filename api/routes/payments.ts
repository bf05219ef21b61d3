/**
 * Patients' payments and refunds (POST/GET /payments) and their accounts (outstanding dues and
 * prepaid credit, under /patients/:id). The money rules live in api/services/payments.ts.
 */
import { type Payment, Prisma } from '../../prisma/generated/client';
import { type TenantDb } from '../../prisma/tenant';
import { type OwnershipScope } from '../middleware/ownership';
import { type ApiDeps } from '../deps';
import { checkoutForDues } from '../payments/checkout';
import { createStripeClient } from '../payments/stripe-client';
import { ApiError } from '../http/api-error';
import { requireIdempotencyKey } from '../http/idempotency-key';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { idParams, page } from '../schemas/common';
import { allowedReturnOrigins } from '../schemas/return-urls';
import { creditsResponse, duesResponse, paymentLinkBody, paymentLinkResponse, paymentListQuery, paymentResponse, recordPaymentBody, topUpBody } from '../schemas/payments';
import { auditRead, writeAudit } from '../services/audit';
import { creditBalance, outstandingDues } from '../../prisma/patient-accounts';
import { signalPaymentChases } from '../services/payment-signals';
import { recordPayment, topUpCredit } from '../services/payments';
import { documentLinks, startDocumentMessages } from '../services/document-messages';
import { receiptPdf } from '../services/billing-pdf';
import { paymentDetailResponse } from '../schemas/invoices';
import { sendPdf } from './invoices';

const presentPayment = (p: Payment) => ({
  id: p.id,
  clinicId: p.clinicId,
  patientId: p.patientId,
  appointmentId: p.appointmentId,
  amount: p.amount.toFixed(2),
  currency: p.currency,
  method: p.method,
  note: p.note,
  refundReason: p.refundReason,
  recordedById: p.recordedById,
  createdAt: p.createdAt.toISOString(),
});

export function paymentRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Record a payment (or, with a negative amount and a reason, a refund)',
      description: 'Requires an Idempotency-Key header. Against one completed session (appointmentId) or on account; never more than is due (422 OVERPAYMENT), never a refund beyond what was paid. CREDIT draws on the patient\'s credit.',
      access: 'payment:record',
      tenant: true,
      body: recordPaymentBody,
      responses: {
        201: { description: 'Recorded (or recorded earlier with the same key)', schema: paymentResponse },
        404: { description: 'No such patient or session in this clinic' },
        422: { description: 'OVERPAYMENT, REFUND_EXCEEDS_PAID, INSUFFICIENT_CREDIT or NOT_PAYABLE' },
      },
      handler: async ({ body }, req, res) => {
        const { payment, replayed, message } = await recordPayment(
          req,
          { patientId: body.patientId, amount: new Prisma.Decimal(body.amount), method: body.method, appointmentId: body.appointmentId, note: body.note, refundReason: body.reason },
          requireIdempotencyKey(req),
          documentLinks(deps),
        );
        if (replayed) res.set('Idempotent-Replayed', 'true');
        else {
          await startDocumentMessages(deps, payment.clinicId, [message]);
          if (payment.amount.greaterThan(0)) await signalPaymentChases(deps, payment.clinicId, payment.patientId);
        }
        res.status(201).json(presentPayment(payment));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's payments and refunds",
      access: 'payment:read',
      tenant: true,
      query: paymentListQuery,
      responses: { 200: { description: 'A page of payments, oldest first', schema: page(paymentResponse) } },
      handler: async ({ query }, req, res) => {
        const { db, ownership } = req.tenant!;
        const rows = await db.payment.findMany({
          where: {
            ...(query.patientId ? { patientId: query.patientId } : {}),
            ...(query.appointmentId ? { appointmentId: query.appointmentId } : {}),
            ...(query.method ? { method: query.method } : {}),
            ...(query.from || query.to ? { createdAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
            AND: [ownership.payment],
          },
          orderBy: [{ id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        const page = toPage(rows, query.limit, presentPayment);
        await auditRead(db, req, 'patient.payments.list', page.data.map((p) => p.patientId));
        res.json(page);
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'One payment or refund: where it went, its receipt or credit note',
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The payment', schema: paymentDetailResponse }, 404: { description: 'No such payment in this clinic' } },
      handler: async ({ params }, req, res) => {
        const { db, ownership } = req.tenant!;
        const p = await db.payment.findFirst({
          where: { id: params.id, AND: [ownership.payment] },
          include: { appointment: { select: { reservationId: true } }, creditEntry: true, receipt: true, creditNote: true },
        });
        if (!p) throw ApiError.notFound('Payment');
        await auditRead(db, req, 'patient.payment.read', [p.patientId]);
        const doc = (d: { id: string; number: string; issuedAt: Date } | null) => (d ? { id: d.id, number: d.number, issuedAt: d.issuedAt.toISOString() } : null);
        res.json({
          ...presentPayment(p),
          allocation: {
            kind: p.appointmentId ? 'session' : 'account',
            appointmentId: p.appointmentId,
            reservationId: p.appointment?.reservationId ?? null,
            creditUsed: p.creditEntry ? p.creditEntry.amount.negated().toFixed(2) : null,
          },
          receipt: doc(p.receipt),
          creditNote: doc(p.creditNote),
        });
      },
    })
    .route({
      method: 'get',
      path: '/:id/receipt',
      summary: "The payment's receipt as PDF",
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'application/pdf' }, 404: { description: 'No such payment in this clinic, or it is a refund (its credit note: GET /credit-notes/{id}/pdf)' } },
      handler: async ({ params }, req, res) => {
        const { db, ownership } = req.tenant!;
        const p = await db.payment.findFirst({ where: { id: params.id, AND: [ownership.payment] }, select: { patientId: true } });
        if (!p) throw ApiError.notFound('Payment');
        await auditRead(db, req, 'patient.receipt.pdf', [p.patientId]);
        sendPdf(res, await receiptPdf(db, { paymentId: params.id }));
      },
    });
}

export function patientAccountRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const stripe = createStripeClient(deps.config);
  const returnUrl = deps.config.PUBLIC_API_URL ?? 'http://localhost:3000';
  const requirePatient = async ({ db, ownership }: { db: TenantDb; ownership: OwnershipScope }, id: string) => {
    if (!(await db.patient.findUnique({ where: { id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
  };
  const currencyOf = async (db: TenantDb, clinicId: string) => (await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { currency: true } })).currency;

  return r
    .route({
      method: 'get',
      path: '/:id/outstanding-dues',
      summary: "A patient's outstanding dues, per completed session and in total",
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'Dues', schema: duesResponse }, 404: { description: 'No such patient' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await requirePatient(req.tenant!, params.id);
        const dues = await outstandingDues(db, clinicId, params.id, await currencyOf(db, clinicId));
        await auditRead(db, req, 'patient.dues.read', [params.id]);
        res.json(dues);
      },
    })
    .route({
      method: 'post',
      path: '/:id/payment-link',
      summary: 'A Stripe Checkout link for what the patient owes',
      description: "Creates a Stripe Checkout Session for the patient's outstanding total, in the clinic's currency. When Stripe reports it paid (POST /webhooks/stripe), the payment is recorded on the patient's account.",
      access: 'payment:record',
      tenant: true,
      params: idParams,
      body: paymentLinkBody,
      responses: {
        201: { description: 'The link', schema: paymentLinkResponse },
        404: { description: 'No such patient' },
        422: { description: 'NOTHING_DUE, or RETURN_URL_NOT_ALLOWED' },
        503: { description: 'Stripe is not configured, or did not answer' },
      },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await requirePatient(req.tenant!, params.id);
        if (!stripe) throw new ApiError(503, 'STRIPE_NOT_CONFIGURED', 'Card payments are not set up on this platform');
        const { settings } = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { settings: true } });
        const allowed = allowedReturnOrigins(settings, returnUrl);
        const refused = (['successUrl', 'cancelUrl'] as const).filter((k) => body[k] && !allowed.has(new URL(body[k]).origin));
        if (refused.length) {
          throw ApiError.unprocessable('RETURN_URL_NOT_ALLOWED', "A return URL is not on an origin the clinic allows (settings.paymentReturnOrigins)", refused.map((k) => ({ path: `body.${k}`, message: 'origin not allowed' })));
        }
        const checkout = await checkoutForDues(stripe, db, { clinicId, patientId: params.id, successUrl: body.successUrl ?? returnUrl, cancelUrl: body.cancelUrl ?? returnUrl });
        if (!checkout) throw ApiError.unprocessable('NOTHING_DUE', 'The patient owes nothing');
        const { session, dues } = checkout;
        const { total, currency } = dues;
        await writeAudit(db, req, { action: 'payment.link', entityType: 'Patient', entityId: params.id, clinicId, after: { stripeSessionId: session.id, amount: total, currency } });
        res.status(201).json({ url: session.url, stripeSessionId: session.id, amount: total, currency });
      },
    })
    .route({
      method: 'get',
      path: '/:id/credits',
      summary: "A patient's prepaid credit: balance and entries",
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'Credit', schema: creditsResponse }, 404: { description: 'No such patient' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        await requirePatient(req.tenant!, params.id);
        const entries = await db.creditEntry.findMany({ where: { patientId: params.id }, orderBy: { id: 'asc' } });
        await auditRead(db, req, 'patient.credits.read', [params.id]);
        res.json({
          balance: (await creditBalance(db, clinicId, params.id)).toFixed(2),
          currency: await currencyOf(db, clinicId),
          entries: entries.map((e) => ({ id: e.id, amount: e.amount.toFixed(2), method: e.method, paymentId: e.paymentId, note: e.note, createdAt: e.createdAt.toISOString() })),
        });
      },
    })
    .route({
      method: 'post',
      path: '/:id/credits',
      summary: "Top up a patient's prepaid credit",
      description: 'Requires an Idempotency-Key header.',
      access: 'payment:record',
      tenant: true,
      params: idParams,
      body: topUpBody,
      responses: { 201: { description: 'The new balance', schema: creditsResponse.pick({ balance: true, currency: true }) }, 404: { description: 'No such patient' } },
      handler: async ({ params, body }, req, res) => {
        await requirePatient(req.tenant!, params.id);
        const result = await topUpCredit(req, { patientId: params.id, amount: new Prisma.Decimal(body.amount), method: body.method, note: body.note }, requireIdempotencyKey(req));
        if (result.replayed) res.set('Idempotent-Replayed', 'true');
        res.status(201).json({ balance: result.balance, currency: result.currency });
      },
    });
}
