/**
 * Patients' packages and subscriptions: selling one (GET|POST /patients/:id/packages), reading one
 * with its balance, steering its workflow (pause, resume, cancel at period end), paying its charges
 * at the desk or through a Stripe link, the public pay link of a renewal's chase, and booking a
 * session that must come from a package (POST /appointments/subscriptions, seed 002).
 */
import { packageUpdates } from '../../domain/packages';
import { scopedToClinic } from '../../prisma/tenant';
import { payLinkSettings, reminderOfPayToken } from '../../activities/payments/pay-links';
import { text } from '../../domain/text';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { requireIdempotencyKey } from '../http/idempotency-key';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { presentAppointment } from '../presenters';
import { createStripeClient } from '../payments/stripe-client';
import { appointmentResponse, bookAppointmentBody } from '../schemas/appointments';
import { idParams } from '../schemas/common';
import { cancelAtPeriodEndBody, chargeLinkResponse, chargeParams, chargePaymentBody, patientPackageResponse, purchaseBody, purchaseResponse } from '../schemas/packages';
import { allowedReturnOrigins } from '../schemas/return-urls';
import { auditRead, writeAudit } from '../services/audit';
import { bookAppointment } from '../services/booking';
import { checkoutForCharge, ensurePackageWorkflow, payChargeAtDesk, type PackageWithCharges, presentPatientPackage, purchasePackage, signalPackagePaid, stripeNotConfigured } from '../services/packages';
import { steer } from '../services/workflow-updates';
import { type Request } from 'express';

const withCharges = { charges: { orderBy: { period: 'asc' as const } } };

async function heldSessions(req: Request, pkgs: PackageWithCharges[]): Promise<Map<string, number>> {
  const rows = await req.tenant!.db.packageSessionUse.groupBy({ by: ['patientPackageId', 'period'], where: { patientPackageId: { in: pkgs.map((p) => p.id) }, status: 'HELD' }, _count: { _all: true } });
  const held = new Map<string, number>();
  for (const p of pkgs) held.set(p.id, rows.filter((r) => r.patientPackageId === p.id && r.period === p.period).reduce((n, r) => n + r._count._all, 0));
  return held;
}

async function present(req: Request, pkg: PackageWithCharges) {
  return presentPatientPackage(pkg, (await heldSessions(req, [pkg])).get(pkg.id) ?? 0);
}

/** The package if the caller reaches its patient (practitioners: the patients they treat), else 404. */
async function findOwn(req: Request, id: string): Promise<PackageWithCharges> {
  const { db, ownership } = req.tenant!;
  const pkg = await db.patientPackage.findFirst({ where: { id, patient: ownership.patient }, include: withCharges });
  if (!pkg) throw ApiError.notFound('Package');
  return pkg;
}

function returnUrls(deps: ApiDeps, settings: unknown, body: { successUrl?: string; cancelUrl?: string }) {
  const back = deps.config.PUBLIC_API_URL ?? 'http://localhost:3000';
  const allowed = allowedReturnOrigins(settings, back);
  const refused = (['successUrl', 'cancelUrl'] as const).filter((k) => body[k] && !allowed.has(new URL(body[k]).origin));
  if (refused.length) {
    throw ApiError.unprocessable('RETURN_URL_NOT_ALLOWED', 'A return URL is not on an origin the clinic allows (settings.paymentReturnOrigins)', refused.map((k) => ({ path: `body.${k}`, message: 'origin not allowed' })));
  }
  return { successUrl: body.successUrl ?? back, cancelUrl: body.cancelUrl ?? back };
}

/** Under /patients: a patient's packages and selling one. */
export function patientPackageListRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const stripe = createStripeClient(deps.config);
  return r
    .route({
      method: 'get',
      path: '/:id/packages',
      summary: "A patient's packages and subscriptions with the balance left: sessions remaining, expiry, status",
      access: 'package:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'Newest first', schema: z.object({ data: z.array(patientPackageResponse) }) }, 404: { description: 'No such patient' } },
      handler: async ({ params }, req, res) => {
        const { db, ownership } = req.tenant!;
        if (!(await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
        const pkgs = await db.patientPackage.findMany({ where: { patientId: params.id }, include: withCharges, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
        const held = await heldSessions(req, pkgs);
        await auditRead(db, req, 'patient.packages.list', [params.id]);
        res.json({ data: pkgs.map((p) => presentPatientPackage(p, held.get(p.id) ?? 0)) });
      },
    })
    .route({
      method: 'post',
      path: '/:id/packages',
      summary: 'Sell a plan to the patient: paid now (recorded, or from credit), or through a Stripe Checkout link',
      description: 'Requires an Idempotency-Key header. Starts the workflow package/<clinicId>/<id> (expiry reminder and expiry; a subscription\'s monthly renewal).',
      access: 'package:sell',
      tenant: true,
      params: idParams,
      body: purchaseBody,
      responses: {
        201: { description: 'Sold (or sold earlier with the same key)', schema: purchaseResponse },
        404: { description: 'No such patient or plan' },
        422: { description: 'PLAN_ARCHIVED, INSUFFICIENT_CREDIT or RETURN_URL_NOT_ALLOWED' },
        503: { description: 'Stripe is not configured, or Temporal could not take the workflow yet' },
      },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        if (!(await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
        const idempotencyKey = requireIdempotencyKey(req);
        if (body.method === 'STRIPE' && !stripe) throw stripeNotConfigured();
        const urls = body.method === 'STRIPE' ? returnUrls(deps, (await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { settings: true } })).settings, body) : null;
        const { pkg, replayed } = await purchasePackage(deps, req, { patientId: params.id, planId: body.planId, method: body.method }, idempotencyKey);
        let checkoutUrl: string | null = null;
        const due = pkg.charges.find((c) => c.status === 'DUE');
        if (stripe && urls && due) checkoutUrl = (await checkoutForCharge(stripe, db, { chargeId: due.id, ...urls }))?.session.url ?? null;
        if (replayed) res.set('Idempotent-Replayed', 'true');
        res.status(201).json({ ...(await present(req, pkg)), checkoutUrl });
      },
    });
}

/** Under /patient-packages: one package, its steering and its charges. */
export function patientPackageRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const stripe = createStripeClient(deps.config);
  const refused = { 404: { description: 'No such package in this clinic' }, 409: { description: "INVALID_TRANSITION: the action does not fit the package's state" } };
  const action = (path: string, summary: string, run: (workflowId: string, status: string, body: unknown) => Promise<unknown>, body?: z.ZodType) =>
    r.route({
      method: 'post',
      path: `/:id/${path}`,
      summary,
      access: 'package:sell',
      tenant: true,
      params: idParams,
      ...(body ? { body } : {}),
      responses: { 200: { description: 'The package after the change', schema: patientPackageResponse }, ...refused },
      handler: async ({ params, body: input }, req, res) => {
        let pkg = await findOwn(req, params.id);
        pkg = await ensurePackageWorkflow(deps, pkg);
        await run(pkg.workflowId, pkg.status, input);
        res.json(await present(req, await findOwn(req, params.id)));
      },
    });

  r.route({
    method: 'get',
    path: '/:id',
    summary: 'Read a package or subscription with its balance and charges',
    access: 'package:read',
    tenant: true,
    params: idParams,
    responses: { 200: { description: 'The package', schema: patientPackageResponse }, 404: refused[404] },
    handler: async ({ params }, req, res) => {
      const pkg = await findOwn(req, params.id);
      await auditRead(req.tenant!.db, req, 'patient.package.read', [pkg.patientId]);
      res.json(await present(req, pkg));
    },
  });
  action('pause', 'Pause: its sessions cannot be booked, and its expiry (or renewal) moves by the length of the pause', (id, status) => steer(deps, id, packageUpdates.pause, [], status));
  action('resume', 'Resume a paused package', (id, status) => steer(deps, id, packageUpdates.resume, [], status));
  action(
    'cancel-at-period-end',
    'Cancel a subscription at the end of the month it is in (or take that back with cancel: false)',
    (id, status, body) => steer(deps, id, packageUpdates.cancelAtPeriodEnd, [{ cancel: (body as z.output<typeof cancelAtPeriodEndBody>).cancel }], status),
    cancelAtPeriodEndBody,
  );
  r.route({
    method: 'post',
    path: '/:id/charges/:chargeId/payments',
    summary: 'Record the payment of a due charge (a renewal, or a purchase paid at the desk instead of by Stripe)',
    description: 'Requires an Idempotency-Key header. Pays the charge in full; CREDIT draws on the patient\'s credit.',
    access: 'payment:record',
    tenant: true,
    params: chargeParams,
    body: chargePaymentBody,
    responses: { 201: { description: 'Paid: the package after it', schema: patientPackageResponse }, 404: { description: 'No such package or charge' }, 409: { description: 'NOT_DUE' }, 422: { description: 'INSUFFICIENT_CREDIT' } },
    handler: async ({ params, body }, req, res) => {
      await findOwn(req, params.id);
      const { replayed } = await payChargeAtDesk(deps, req, { packageId: params.id, chargeId: params.chargeId, method: body.method }, requireIdempotencyKey(req));
      if (replayed) res.set('Idempotent-Replayed', 'true');
      else await signalPackagePaid(deps, req.tenant!.clinicId, params.id);
      res.status(201).json(await present(req, await findOwn(req, params.id)));
    },
  });
  r.route({
    method: 'post',
    path: '/:id/charges/:chargeId/payment-link',
    summary: 'A Stripe Checkout link for a due charge',
    access: 'payment:record',
    tenant: true,
    params: chargeParams,
    body: z.object({ successUrl: text().optional(), cancelUrl: text().optional() }).openapi('PackageChargeLinkRequest'),
    responses: { 201: { description: 'The link', schema: chargeLinkResponse }, 404: { description: 'No such package or charge' }, 409: { description: 'NOT_DUE' }, 503: { description: 'Stripe is not configured, or did not answer' } },
    handler: async ({ params, body }, req, res) => {
      const { db, clinicId } = req.tenant!;
      const pkg = await findOwn(req, params.id);
      const charge = pkg.charges.find((c) => c.id === params.chargeId);
      if (!charge) throw ApiError.notFound('Package charge');
      if (!stripe) throw stripeNotConfigured();
      if (charge.status !== 'DUE') throw ApiError.conflict('NOT_DUE', `This charge is ${charge.status}, not due`);
      const urls = returnUrls(deps, (await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { settings: true } })).settings, body);
      const checkout = await checkoutForCharge(stripe, db, { chargeId: charge.id, ...urls });
      if (!checkout) throw ApiError.conflict('NOT_DUE', 'This charge is no longer due');
      await writeAudit(db, req, { action: 'package.charge.link', entityType: 'PackageCharge', entityId: charge.id, clinicId, after: { stripeSessionId: checkout.session.id } });
      res.status(201).json({ url: checkout.session.url, stripeSessionId: checkout.session.id, amount: charge.amount.toFixed(2), currency: charge.currency });
    },
  });
  return r;
}

/** GET /pay/package-charges/:token: the link in a renewal's chase; the signed token names the charge. */
export function packagePayRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const stripe = createStripeClient(deps.config);
  const links = payLinkSettings(deps.config);
  return r.route({
    method: 'get',
    path: '/:token',
    summary: 'Pay a package or subscription charge from its reminder (redirects to Stripe Checkout)',
    access: 'public',
    params: z.object({ token: text().min(10).max(200) }),
    responses: { 303: { description: 'To Stripe Checkout' }, 200: { description: 'Nothing is owed on it any more' }, 404: { description: 'Not a payment link' }, 503: { description: 'Card payments are not set up, or Stripe did not answer' } },
    handler: async ({ params }, _req, res) => {
      const chargeId = reminderOfPayToken(links.secret, params.token);
      const charge = chargeId && z.uuid().safeParse(chargeId).success ? await deps.prisma.packageCharge.findUnique({ where: { id: chargeId }, select: { clinicId: true, status: true } }) : null;
      if (!charge) throw ApiError.notFound('Payment link');
      if (charge.status !== 'DUE') {
        res.type('text/plain').send('Thank you: nothing is owed on this at the moment.');
        return;
      }
      if (!stripe) throw stripeNotConfigured();
      const checkout = await checkoutForCharge(stripe, scopedToClinic(deps.prisma, charge.clinicId), { chargeId: chargeId!, successUrl: links.baseUrl, cancelUrl: links.baseUrl });
      if (!checkout?.session.url) {
        res.type('text/plain').send('Thank you: nothing is owed on this at the moment.');
        return;
      }
      res.redirect(303, checkout.session.url);
    },
  });
}

/** POST /appointments/subscriptions (seed 002): a booking whose session must come from the patient's package or subscription. */
export function subscriptionBookingRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r.route({
    method: 'post',
    path: '/subscriptions',
    summary: "Book a session taken from the patient's package or subscription (refused without one that covers it)",
    description: 'The same as POST /appointments with usePackage: require. Requires an Idempotency-Key header.',
    access: 'appointment:book',
    tenant: true,
    body: bookAppointmentBody,
    responses: {
      201: { description: 'Booked from the package', schema: appointmentResponse },
      404: { description: 'No such patient, practitioner or therapy type in this clinic' },
      409: { description: 'SLOT_TAKEN' },
      422: { description: 'NO_PACKAGE_SESSION, or the time is not bookable' },
    },
    handler: async ({ body }, req, res) => {
      if (!body.therapyTypeId) throw ApiError.unprocessable('NO_PACKAGE_SESSION', 'A package covers therapy types: name one', [{ path: 'body.therapyTypeId', message: 'required' }]);
      const { appointment, replayed } = await bookAppointment(deps, req, { ...body, usePackage: 'require' }, requireIdempotencyKey(req));
      if (replayed) res.set('Idempotent-Replayed', 'true');
      res.status(201).json(presentAppointment(appointment));
    },
  });
}
