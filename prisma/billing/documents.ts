/**
 * Invoices, receipts and credit notes as the database holds them. Each is numbered per clinic,
 * kind and year (the clinic's own year) from a counter row that the inserting transaction
 * increments (INSERT … ON CONFLICT DO UPDATE … RETURNING: the row stays locked until commit), so
 * concurrent documents are numbered one after another and a rolled-back document gives its number
 * back: no gaps, no repeats. Raw SQL with an explicit clinicId throughout, so the same functions
 * run inside the API's tenant-scoped transactions and the activities' plain ones.
 */
import { billingSettingsOf, DOCUMENT_LINK_TTL_DAYS, documentNumber, type DocumentKind } from '../../domain/billing';
import { localDate } from '../../domain/dates';
import { type Channel } from '../../domain/messaging';
import { workflowIds } from '../../domain/temporal';
import { documentUrl, type LinkedDocument } from './document-links';
import { stableMessageId } from '../../activities/messaging/message-ids';
import { type RawQuerier } from '../appointment-usage';
import { Prisma } from '../generated/client';
import { cents, invoiceLinesFor, type LineInput, linesOfSessions, nothingToBill, priceInvoice, type TaxRule } from './invoice-lines';

const { Decimal } = Prisma;
type Decimal = Prisma.Decimal;
export type Tx = RawQuerier;

export interface DocumentLinks {
  baseUrl: string;
  secret: string;
}

/** A message about a new document, written with it; its delivery is started after the commit. */
export interface DocumentMessage {
  messageId: string;
  patientId: string;
}

export interface IssuedInvoice {
  id: string;
  number: string;
  total: string;
  /** False when it had been issued before (a retried completion). */
  created: boolean;
  message: DocumentMessage | null;
}

interface ClinicFacts {
  name: string;
  timezone: string;
  currency: string;
  settings: unknown;
}

async function clinicFacts(tx: Tx, clinicId: string): Promise<ClinicFacts> {
  const [c] = await tx.$queryRaw<ClinicFacts[]>`SELECT name, timezone, currency, settings FROM "Clinic" WHERE id = ${clinicId}::uuid`;
  if (!c) throw new Error('No such clinic');
  return c;
}

export function taxRuleOf(settings: unknown): TaxRule {
  const b = billingSettingsOf(settings);
  return { label: b.taxLabel, ratePercent: new Decimal(b.taxRatePercent), pricesIncludeTax: b.pricesIncludeTax };
}

/** The next number of a kind of document for the clinic's year; the counter row stays locked until the transaction ends. */
export async function nextDocumentNumber(tx: Tx, clinicId: string, kind: DocumentKind, year: number): Promise<{ sequence: number; number: string }> {
  const [row] = await tx.$queryRaw<Array<{ lastNumber: number }>>`
    INSERT INTO "DocumentCounter" (id, "clinicId", year, kind, "lastNumber")
    VALUES (gen_random_uuid(), ${clinicId}::uuid, ${year}, ${kind}::"BillingDocumentKind", 1)
    ON CONFLICT ("clinicId", year, kind) DO UPDATE SET "lastNumber" = "DocumentCounter"."lastNumber" + 1
    RETURNING "lastNumber"`;
  const sequence = row!.lastNumber;
  return { sequence, number: documentNumber(kind, year, sequence) };
}

const yearOf = (at: Date, timezone: string) => Number(localDate(at, timezone).slice(0, 4));

/** Thrown inside a transaction to roll it back (and the number it took) when the document exists already. */
export class AlreadyIssued extends Error {
  constructor(readonly existing: { id: string; number: string; total: string }) {
    super('already issued');
  }
}

async function invoiceBySource(tx: Tx, clinicId: string, sourceKey: string) {
  const [row] = await tx.$queryRaw<Array<{ id: string; number: string; total: string }>>`
    SELECT id::text, number, total::text FROM "Invoice" WHERE "clinicId" = ${clinicId}::uuid AND "sourceKey" = ${sourceKey}`;
  return row;
}

/** Issues an invoice for the given lines (callers: a session's completion, a correction, fixtures). */
export async function insertInvoice(
  tx: Tx,
  clinicId: string,
  input: { patientId: string; appointmentId: string | null; sourceKey: string; lines: LineInput[]; correctsInvoiceId?: string; note?: string | null; createdById?: string | null; at: Date },
  links: DocumentLinks | null,
): Promise<IssuedInvoice> {
  const clinic = await clinicFacts(tx, clinicId);
  const rule = taxRuleOf(clinic.settings);
  const priced = priceInvoice(input.lines, rule);
  const year = yearOf(input.at, clinic.timezone);
  const { sequence, number } = await nextDocumentNumber(tx, clinicId, 'INVOICE', year);
  // A concurrent issue of the same source committed while this one waited for the counter: give the number back.
  const earlier = await invoiceBySource(tx, clinicId, input.sourceKey);
  if (earlier) throw new AlreadyIssued(earlier);
  const [invoice] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "Invoice" (id, "clinicId", number, year, sequence, "patientId", "appointmentId", "sourceKey", currency, "taxLabel", "taxRate", "pricesIncludeTax",
                           subtotal, "taxTotal", total, "correctsInvoiceId", note, "createdById", "issuedAt")
    VALUES (gen_random_uuid(), ${clinicId}::uuid, ${number}, ${year}, ${sequence}, ${input.patientId}::uuid, ${input.appointmentId}::uuid, ${input.sourceKey}, ${clinic.currency},
            ${rule.label}, ${rule.ratePercent.toFixed(2)}::numeric, ${rule.pricesIncludeTax}, ${priced.subtotal.toFixed(2)}::numeric, ${priced.taxTotal.toFixed(2)}::numeric,
            ${priced.total.toFixed(2)}::numeric, ${input.correctsInvoiceId ?? null}::uuid, ${input.note ?? null}, ${input.createdById ?? null}::uuid, ${input.at})
    RETURNING id::text`;
  for (const l of priced.lines) {
    await tx.$queryRaw`
      INSERT INTO "InvoiceLine" (id, "clinicId", "invoiceId", position, kind, description, quantity, "unitPrice", discount, net, tax, total, "therapyTypeId", "appointmentId")
      VALUES (gen_random_uuid(), ${clinicId}::uuid, ${invoice!.id}::uuid, ${l.position}, ${l.kind}, ${l.description}, ${l.quantity.toFixed(2)}::numeric, ${l.unitPrice.toFixed(2)}::numeric,
              ${l.discount.toFixed(2)}::numeric, ${l.net.toFixed(2)}::numeric, ${l.tax.toFixed(2)}::numeric, ${l.total.toFixed(2)}::numeric, ${l.therapyTypeId ?? null}::uuid,
              ${l.appointmentId ?? null}::uuid)
      RETURNING id`;
  }
  await audit(tx, clinicId, input.createdById ?? null, 'invoice.issue', 'Invoice', invoice!.id, { number, total: priced.total.toFixed(2), currency: clinic.currency });
  const total = priced.total.toFixed(2);
  const message = links
    ? await documentMessage(tx, clinicId, clinic, input.patientId, 'invoice', invoice!.id, 'invoice-issued', { number, total, currency: clinic.currency }, links, input.at)
    : null;
  return { id: invoice!.id, number, total, created: true, message };
}

/**
 * The invoice of a completed, priced session, once (unique per appointment): its lines from
 * invoiceLinesFor, taxed by the clinic's rule. Null for a session that is not completed or has no
 * price, and for one with nothing to bill (taken from a package, or free): the package's receipt
 * is the patient's paper for it.
 * Runs inside the caller's transaction; AlreadyIssued rolls it back when the session has one.
 */
export async function issueSessionInvoice(tx: Tx, clinicId: string, appointmentId: string, links: DocumentLinks | null, at = new Date()): Promise<IssuedInvoice | null> {
  const [session] = await tx.$queryRaw<Array<{ patientId: string }>>`
    SELECT "patientId"::text AS "patientId" FROM "Appointment"
     WHERE id = ${appointmentId}::uuid AND "clinicId" = ${clinicId}::uuid AND status = 'COMPLETED' AND price IS NOT NULL`;
  if (!session) return null;
  const sourceKey = `appointment:${appointmentId}`;
  const earlier = await invoiceBySource(tx, clinicId, sourceKey);
  if (earlier) return { ...earlier, created: false, message: null };
  const lines = await invoiceLinesFor(tx, clinicId, appointmentId);
  if (nothingToBill(lines)) return null;
  return insertInvoice(tx, clinicId, { patientId: session.patientId, appointmentId, sourceKey, lines, at }, links);
}

export interface CorrectionResult {
  creditNote: { id: string; number: string; amount: string };
  invoice: IssuedInvoice;
  messages: DocumentMessage[];
}

export class CorrectionRefused extends Error {
  /** UNKNOWN_SESSION: a line names a session the invoice does not bill; SESSION_REQUIRED: a month's invoice needs each line's session. */
  constructor(readonly code: 'NOT_FOUND' | 'ALREADY_CREDITED' | 'NO_LINES' | 'UNKNOWN_SESSION' | 'SESSION_REQUIRED') {
    super(code);
  }
}

/**
 * Corrects an issued invoice without editing it: a credit note for all of it (the invoice becomes
 * CREDITED) and a new invoice with the corrected lines (given, or derived again from the session
 * or, for a month's invoice, its sessions). Given lines bill the invoice's session; on a month's
 * invoice each names one of its sessions, so dues stay per session.
 */
export async function correctInvoice(
  tx: Tx,
  clinicId: string,
  invoiceId: string,
  input: { reason: string; lines?: LineInput[]; createdById: string | null },
  links: DocumentLinks | null,
  at = new Date(),
): Promise<CorrectionResult> {
  const [old] = await tx.$queryRaw<Array<{ patientId: string; appointmentId: string | null; status: string; total: string; taxTotal: string; currency: string }>>`
    SELECT "patientId"::text AS "patientId", "appointmentId"::text AS "appointmentId", status::text, total::text, "taxTotal"::text AS "taxTotal", currency
      FROM "Invoice" WHERE id = ${invoiceId}::uuid AND "clinicId" = ${clinicId}::uuid FOR UPDATE`;
  if (!old) throw new CorrectionRefused('NOT_FOUND');
  if (old.status !== 'ISSUED') throw new CorrectionRefused('ALREADY_CREDITED');
  const clinic = await clinicFacts(tx, clinicId);
  const sessions = (
    await tx.$queryRaw<Array<{ id: string }>>`
      SELECT "appointmentId"::text AS id FROM "InvoiceLine" WHERE "clinicId" = ${clinicId}::uuid AND "invoiceId" = ${invoiceId}::uuid AND "appointmentId" IS NOT NULL
       GROUP BY "appointmentId" ORDER BY min(position)`
  ).map((s) => s.id);
  let lines: LineInput[];
  if (input.lines) {
    lines = input.lines.map((l) => ({ ...l, appointmentId: l.appointmentId ?? (sessions.length === 1 ? sessions[0] : null) }));
    if (lines.some((l) => l.appointmentId && !sessions.includes(l.appointmentId))) throw new CorrectionRefused('UNKNOWN_SESSION');
    if (sessions.length > 1 && lines.some((l) => !l.appointmentId)) throw new CorrectionRefused('SESSION_REQUIRED');
  } else {
    lines = old.appointmentId ? await invoiceLinesFor(tx, clinicId, old.appointmentId) : await linesOfSessions(tx, clinicId, sessions, clinic.timezone);
  }
  if (lines.length === 0) throw new CorrectionRefused('NO_LINES');
  const year = yearOf(at, clinic.timezone);
  const cn = await nextDocumentNumber(tx, clinicId, 'CREDIT_NOTE', year);
  const [note] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "CreditNote" (id, "clinicId", number, year, sequence, "patientId", "invoiceId", amount, "taxAmount", currency, reason, "createdById", "issuedAt")
    VALUES (gen_random_uuid(), ${clinicId}::uuid, ${cn.number}, ${year}, ${cn.sequence}, ${old.patientId}::uuid, ${invoiceId}::uuid, ${old.total}::numeric, ${old.taxTotal}::numeric,
            ${old.currency}, ${input.reason}, ${input.createdById}::uuid, ${at})
    RETURNING id::text`;
  // The one change an issued invoice ever sees: it is marked as credited.
  await tx.$queryRaw`UPDATE "Invoice" SET status = 'CREDITED' WHERE id = ${invoiceId}::uuid AND "clinicId" = ${clinicId}::uuid RETURNING id`;
  await audit(tx, clinicId, input.createdById, 'credit-note.issue', 'CreditNote', note!.id, { number: cn.number, invoiceId, amount: old.total });
  const invoice = await insertInvoice(
    tx,
    clinicId,
    { patientId: old.patientId, appointmentId: old.appointmentId, sourceKey: `correction:${invoiceId}`, lines, correctsInvoiceId: invoiceId, note: input.reason, createdById: input.createdById, at },
    links,
  );
  const creditMessage = links
    ? await documentMessage(tx, clinicId, clinic, old.patientId, 'credit-note', note!.id, 'credit-note-issued', { number: cn.number, amount: old.total, currency: old.currency }, links, at)
    : null;
  return { creditNote: { id: note!.id, number: cn.number, amount: old.total }, invoice, messages: [creditMessage, invoice.message].filter((m): m is DocumentMessage => m !== null) };
}

export interface PaymentFacts {
  id: string;
  patientId: string;
  amount: Decimal;
  currency: string;
  method: string;
  refundReason?: string | null;
  recordedById?: string | null;
  createdAt: Date;
}

/**
 * The document of a payment, in the payment's transaction: a receipt for money received, a credit
 * note for a refund (negative amount). Once per payment (both are unique on it).
 */
export async function documentForPayment(tx: Tx, clinicId: string, payment: PaymentFacts, links: DocumentLinks | null): Promise<{ kind: 'receipt' | 'credit-note'; id: string; number: string; message: DocumentMessage | null }> {
  const clinic = await clinicFacts(tx, clinicId);
  const year = yearOf(payment.createdAt, clinic.timezone);
  const amount = cents(payment.amount.abs()).toFixed(2);
  if (payment.amount.greaterThan(0)) {
    const { sequence, number } = await nextDocumentNumber(tx, clinicId, 'RECEIPT', year);
    const [r] = await tx.$queryRaw<Array<{ id: string }>>`
      INSERT INTO "Receipt" (id, "clinicId", number, year, sequence, "paymentId", "patientId", amount, currency, method, "issuedAt")
      VALUES (gen_random_uuid(), ${clinicId}::uuid, ${number}, ${year}, ${sequence}, ${payment.id}::uuid, ${payment.patientId}::uuid, ${amount}::numeric, ${payment.currency},
              ${payment.method}::"PaymentMethod", ${payment.createdAt})
      RETURNING id::text`;
    const message = links
      ? await documentMessage(tx, clinicId, clinic, payment.patientId, 'receipt', r!.id, 'payment-receipt', { number, amount, currency: payment.currency, method: methodName(payment.method) }, links, payment.createdAt)
      : null;
    return { kind: 'receipt', id: r!.id, number, message };
  }
  const { sequence, number } = await nextDocumentNumber(tx, clinicId, 'CREDIT_NOTE', year);
  const [n] = await tx.$queryRaw<Array<{ id: string }>>`
    INSERT INTO "CreditNote" (id, "clinicId", number, year, sequence, "patientId", "paymentId", amount, currency, reason, "createdById", "issuedAt")
    VALUES (gen_random_uuid(), ${clinicId}::uuid, ${number}, ${year}, ${sequence}, ${payment.patientId}::uuid, ${payment.id}::uuid, ${amount}::numeric, ${payment.currency},
            ${payment.refundReason ?? 'Refund'}, ${payment.recordedById ?? null}::uuid, ${payment.createdAt})
    RETURNING id::text`;
  const message = links
    ? await documentMessage(tx, clinicId, clinic, payment.patientId, 'credit-note', n!.id, 'credit-note-issued', { number, amount, currency: payment.currency }, links, payment.createdAt)
    : null;
  return { kind: 'credit-note', id: n!.id, number, message };
}

const METHOD_NAMES: Record<string, string> = { CASH: 'cash', CARD: 'card', UPI: 'UPI', BANK_TRANSFER: 'bank transfer', CREDIT: 'prepaid credit', STRIPE: 'card (online)' };
export const methodName = (method: string) => METHOD_NAMES[method] ?? method;

/**
 * The message telling the patient (or, without their own contact, their guardian: the delivery's
 * contact rules) about a document, with its signed download link; none when there is no way to reach them.
 * It expires by the column's default (72 hours from the commit), as other payment messages do.
 */
async function documentMessage(
  tx: Tx,
  clinicId: string,
  clinic: ClinicFacts,
  patientId: string,
  kind: LinkedDocument,
  documentId: string,
  templateKey: 'invoice-issued' | 'payment-receipt' | 'credit-note-issued',
  variables: Record<string, string>,
  links: DocumentLinks,
  at: Date,
): Promise<DocumentMessage | null> {
  const [patient] = await tx.$queryRaw<Array<{ language: string; reachable: boolean }>>`
    SELECT "preferredLanguage" AS language,
           (COALESCE(email, "guardianEmail", phone, "guardianPhone") IS NOT NULL) AS reachable
      FROM "Patient" WHERE id = ${patientId}::uuid AND "clinicId" = ${clinicId}::uuid`;
  if (!patient?.reachable) return null;
  const channels: Channel[] = billingSettingsOf(clinic.settings).documentChannels;
  const id = stableMessageId('billing-document', kind, documentId);
  const all = { ...variables, downloadUrl: documentUrl(links, kind, documentId, at), linkDays: String(DOCUMENT_LINK_TTL_DAYS) };
  const channelList = `{${channels.join(',')}}`;
  await tx.$queryRaw`
    INSERT INTO "Message" (id, "clinicId", "patientId", category, channels, "templateKey", variables, language, metadata, "workflowId", "updatedAt")
    VALUES (${id}::uuid, ${clinicId}::uuid, ${patientId}::uuid, 'billing', ${channelList}::"MessageChannel"[], ${templateKey}, ${JSON.stringify(all)}::jsonb, ${patient.language},
            ${JSON.stringify({ documentKind: kind, documentId })}::jsonb, ${workflowIds.messageDelivery(clinicId, id)}, now())
    ON CONFLICT (id) DO NOTHING
    RETURNING id`;
  return { messageId: id, patientId };
}

async function audit(tx: Tx, clinicId: string, actorId: string | null, action: string, entityType: string, entityId: string, after: Record<string, string>) {
  await tx.$queryRaw`
    INSERT INTO "AuditLog" (id, "clinicId", "actorId", action, "entityType", "entityId", changes)
    VALUES (gen_random_uuid(), ${clinicId}::uuid, ${actorId}::uuid, ${action}, ${entityType}, ${entityId}, ${JSON.stringify({ after })}::jsonb)
    RETURNING id`;
}
