/**
 * `npm run stripe:pay -- <patientId>`: plays Stripe's part of a card payment for the local stack,
 * where stripe-mock stands in for Stripe and never calls back. It sends the API the webhook Stripe
 * would send once the patient paid their Checkout: a `checkout.session.completed` for everything
 * the patient owes now, signed with the env file's STRIPE_WEBHOOK_SECRET exactly as Stripe signs.
 * The API records the payment and the patient's open payment-reminder chases end.
 * Reads the same env file as `npm start` (CLINICFLOW_ENV_FILE or .env).
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { z } from 'zod';
import { toMinorUnits } from '../api/payments/stripe-client';
import { parseConfig } from '../domain/config';
import { createPrismaClient } from '../prisma/client';
import { outstandingDues } from '../prisma/patient-accounts';
import { embeddedDatabaseUrl, envFilePath, loadEnv, parseLauncherSettings } from './stack/launcher-config';

async function main(): Promise<void> {
  const patientId = z.uuid('give the patient id (a UUID): npm run stripe:pay -- <patientId>').parse(process.argv[2]);
  loadEnv(envFilePath());
  const settings = parseLauncherSettings(process.env);
  const config = parseConfig({ ...process.env, DATABASE_URL: settings.DATABASE_URL ?? embeddedDatabaseUrl(settings.PG_PORT) });
  const secret = config.STRIPE_WEBHOOK_SECRET;
  if (!secret) throw new Error('STRIPE_WEBHOOK_SECRET is not set: start the stack once with `npm start`, which generates it');

  const prisma = createPrismaClient(config.DATABASE_URL, { max: 1 });
  try {
    const patient = await prisma.patient.findUnique({ where: { id: patientId }, select: { clinicId: true, clinic: { select: { currency: true } } } });
    if (!patient) throw new Error(`No patient ${patientId}`);
    const dues = await outstandingDues(prisma, patient.clinicId, patientId, patient.clinic.currency);
    const amount = toMinorUnits(dues.total);
    if (amount <= 0) {
      console.log(`Patient ${patientId} owes nothing: no payment sent.`);
      return;
    }
    const id = `evt_local_${randomBytes(12).toString('hex')}`;
    const payload = JSON.stringify({
      id,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `cs_test_local_${randomBytes(12).toString('hex')}`,
          object: 'checkout.session',
          payment_status: 'paid',
          amount_total: amount,
          currency: dues.currency.toLowerCase(),
          metadata: { clinicId: patient.clinicId, patientId },
        },
      },
    });
    const host = ['0.0.0.0', '::'].includes(config.API_HOST) ? '127.0.0.1' : config.API_HOST;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${config.API_PORT}/api/v1/webhooks/stripe`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
      body: payload,
    });
    if (!response.ok) throw new Error(`The API answered ${response.status}: ${await response.text()}`);
    console.log(`Paid ${dues.total} ${dues.currency} for patient ${patientId} (Stripe event ${id}).`);
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof z.ZodError ? err.issues.map((i) => i.message).join('; ') : err instanceof Error ? err.message : err);
  process.exit(1);
});
