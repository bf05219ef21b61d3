/**
 * Invoices (GET /invoices, /invoices/:id, its PDF, corrections), credit notes (/credit-notes/:id,
 * its PDF) and the public download link in the messages about them (/documents/:token). Issued
 * documents are never edited: a correction credits the invoice in full and issues a new one.
 */
import { documentOfToken } from '../../prisma/billing/document-links';
import { correctInvoice, CorrectionRefused } from '../../prisma/billing/documents';
import { type LineInput } from '../../prisma/billing/invoice-lines';
import { type CreditNote, type Invoice, type InvoiceLine, Prisma } from '../../prisma/generated/client';
import { scopedToClinic, type TenantDb } from '../../prisma/tenant';
import { DATABASE_FAILURES } from '../../domain/database-failures';
import { permanentDatabaseError } from '../../prisma/errors';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import { correctionBody, correctionResponse, creditNoteResponse, invoiceListQuery, invoiceResponse } from '../schemas/invoices';
import { text } from '../../domain/text';
import { auditRead } from '../services/audit';
import { creditNotePdf, invoicePdf, receiptPdf } from '../services/billing-pdf';
import { documentLinks, startDocumentMessages } from '../services/document-messages';
import { type Response } from 'express';

export const presentCreditNote = (n: CreditNote) => ({
  id: n.id,
  number: n.number,
  patientId: n.patientId,
  invoiceId: n.invoiceId,
  paymentId: n.paymentId,
  amount: n.amount.toFixed(2),
  taxAmount: n.taxAmount.toFixed(2),
  currency: n.currency,
  reason: n.reason,
  issuedAt: n.issuedAt.toISOString(),
});

const presentInvoice = (i: Invoice & { lines: InvoiceLine[]; creditNotes: CreditNote[] }) => ({
  id: i.id,
  number: i.number,
  status: i.status,
  patientId: i.patientId,
  appointmentId: i.appointmentId,
  currency: i.currency,
  taxLabel: i.taxLabel,
  taxRate: i.taxRate.toFixed(2),
  pricesIncludeTax: i.pricesIncludeTax,
  subtotal: i.subtotal.toFixed(2),
  taxTotal: i.taxTotal.toFixed(2),
  total: i.total.toFixed(2),
  correctsInvoiceId: i.correctsInvoiceId,
  note: i.note,
  issuedAt: i.issuedAt.toISOString(),
  lines: [...i.lines]
    .sort((a, b) => a.position - b.position)
    .map((l) => ({
      position: l.position,
      kind: l.kind,
      description: l.description,
      quantity: l.quantity.toFixed(2),
      unitPrice: l.unitPrice.toFixed(2),
      discount: l.discount.toFixed(2),
      net: l.net.toFixed(2),
      tax: l.tax.toFixed(2),
      total: l.total.toFixed(2),
      therapyTypeId: l.therapyTypeId,
      appointmentId: l.appointmentId,
    })),
  creditNotes: i.creditNotes.map(presentCreditNote),
});

const WITH_LINES = { lines: true, creditNotes: true } as const;

/** Sends a PDF inline, named after the document's number. */
export function sendPdf(res: Response, { number, pdf }: { number: string; pdf: Buffer }): void {
  res.type('application/pdf').set('Content-Disposition', `inline; filename="${number}.pdf"`).send(pdf);
}

async function findInvoice(db: TenantDb, id: string) {
  const invoice = await db.invoice.findFirst({ where: { id }, include: WITH_LINES });
  if (!invoice) throw ApiError.notFound('Invoice');
  return invoice;
}

export function invoiceRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's invoices",
      access: 'payment:read',
      tenant: true,
      query: invoiceListQuery,
      responses: { 200: { description: 'A page of invoices, oldest first', schema: page(invoiceResponse) } },
      handler: async ({ query }, req, res) => {
        const { db } = req.tenant!;
        const rows = await db.invoice.findMany({
          where: {
            ...(query.patientId ? { patientId: query.patientId } : {}),
            // Through the lines: a month's invoice bills several sessions.
            ...(query.appointmentId ? { lines: { some: { appointmentId: query.appointmentId } } } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.from || query.to ? { issuedAt: { ...(query.from ? { gte: new Date(query.from) } : {}), ...(query.to ? { lt: new Date(query.to) } : {}) } } : {}),
          },
          include: WITH_LINES,
          // Ids are random: issued order (the number's order within a year) is what staff read.
          orderBy: [{ issuedAt: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        const result = toPage(rows, query.limit, presentInvoice);
        await auditRead(db, req, 'invoice.list', result.data.map((i) => i.patientId));
        res.json(result);
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'One invoice with its lines and any credit note',
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The invoice', schema: invoiceResponse }, 404: { description: 'No such invoice in this clinic' } },
      handler: async ({ params }, req, res) => {
        const invoice = await findInvoice(req.tenant!.db, params.id);
        await auditRead(req.tenant!.db, req, 'invoice.read', [invoice.patientId]);
        res.json(presentInvoice(invoice));
      },
    })
    .route({
      method: 'get',
      path: '/:id/pdf',
      summary: 'The invoice as PDF',
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'application/pdf' }, 404: { description: 'No such invoice in this clinic' } },
      handler: async ({ params }, req, res) => {
        const { db } = req.tenant!;
        const invoice = await findInvoice(db, params.id);
        await auditRead(db, req, 'invoice.pdf', [invoice.patientId]);
        sendPdf(res, await invoicePdf(db, params.id));
      },
    })
    .route({
      method: 'post',
      path: '/:id/corrections',
      summary: 'Correct an issued invoice: a credit note for all of it and a new invoice',
      description:
        'The invoice itself is never edited: it is credited in full (status CREDITED) and a new invoice replaces it, with the given lines or, without them, the lines derived again from the session. Both are sent to the patient.',
      access: 'invoice:correct',
      tenant: true,
      params: idParams,
      body: correctionBody,
      responses: {
        201: { description: 'The credit note and the new invoice', schema: correctionResponse },
        404: { description: 'No such invoice in this clinic' },
        409: { description: 'ALREADY_CREDITED: it was corrected before' },
        422: { description: "NO_LINES: nothing to invoice; UNKNOWN_SESSION or SESSION_REQUIRED: a line's session is not the invoice's, or is missing on a month's invoice" },
      },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const lines: LineInput[] | undefined = body.lines?.map((l) => ({
          kind: 'adjustment',
          description: l.description,
          quantity: new Prisma.Decimal(l.quantity ?? '1'),
          unitPrice: new Prisma.Decimal(l.unitPrice),
          discount: new Prisma.Decimal(l.discount ?? '0'),
          appointmentId: l.appointmentId ?? null,
        }));
        let result;
        try {
          result = await db.$transaction((tx) => correctInvoice(tx, clinicId, params.id, { reason: body.reason, lines, createdById: req.auth!.userId }, documentLinks(deps)));
        } catch (err) {
          if (err instanceof CorrectionRefused && err.code === 'NOT_FOUND') throw ApiError.notFound('Invoice');
          if (err instanceof CorrectionRefused && err.code === 'NO_LINES') throw ApiError.unprocessable('NO_LINES', 'The session has nothing to invoice; give the corrected lines');
          if (err instanceof CorrectionRefused && err.code === 'UNKNOWN_SESSION') throw ApiError.unprocessable('UNKNOWN_SESSION', 'A line names a session this invoice does not bill', [{ path: 'body.lines', message: "appointmentId must be one of the invoice's sessions" }]);
          if (err instanceof CorrectionRefused && err.code === 'SESSION_REQUIRED') throw ApiError.unprocessable('SESSION_REQUIRED', 'This invoice bills several sessions: name the session of each line', [{ path: 'body.lines', message: 'appointmentId is required on each line' }]);
          if (err instanceof CorrectionRefused) throw new ApiError(409, 'ALREADY_CREDITED', 'This invoice was credited already; correct the invoice that replaced it');
          // Lines whose total does not fit an invoice's amounts (numeric overflow).
          if (permanentDatabaseError(err)?.type === DATABASE_FAILURES.invalidInput) throw ApiError.unprocessable('AMOUNT_OUT_OF_RANGE', "The corrected lines' total is too large for an invoice");
          throw err;
        }
        await startDocumentMessages(deps, clinicId, result.messages);
        const [creditNote, invoice] = await Promise.all([db.creditNote.findFirstOrThrow({ where: { id: result.creditNote.id } }), findInvoice(db, result.invoice.id)]);
        res.status(201).json({ creditNote: presentCreditNote(creditNote), invoice: presentInvoice(invoice) });
      },
    });
}

export function creditNoteRoutes(r: ApiRouter): ApiRouter {
  const find = async (db: TenantDb, id: string) => {
    const note = await db.creditNote.findFirst({ where: { id } });
    if (!note) throw ApiError.notFound('Credit note');
    return note;
  };
  return r
    .route({
      method: 'get',
      path: '/:id',
      summary: 'One credit note (for a refund or a corrected invoice)',
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The credit note', schema: creditNoteResponse }, 404: { description: 'No such credit note in this clinic' } },
      handler: async ({ params }, req, res) => {
        const note = await find(req.tenant!.db, params.id);
        await auditRead(req.tenant!.db, req, 'credit-note.read', [note.patientId]);
        res.json(presentCreditNote(note));
      },
    })
    .route({
      method: 'get',
      path: '/:id/pdf',
      summary: 'The credit note as PDF',
      access: 'payment:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'application/pdf' }, 404: { description: 'No such credit note in this clinic' } },
      handler: async ({ params }, req, res) => {
        const note = await find(req.tenant!.db, params.id);
        await auditRead(req.tenant!.db, req, 'credit-note.pdf', [note.patientId]);
        sendPdf(res, await creditNotePdf(req.tenant!.db, params.id));
      },
    });
}

/** GET /documents/:token: the PDF a patient's message links to, without signing in. */
export function documentLinkRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const links = documentLinks(deps);
  return r.route({
    method: 'get',
    path: '/:token',
    summary: "Download an invoice, receipt or credit note from the link in the patient's message",
    description: 'The token is signed and expires; it is a credential and the access log redacts it.',
    access: 'public',
    params: z.object({ token: text().min(10).max(300) }),
    responses: { 200: { description: 'application/pdf' }, 404: { description: 'Not a document link' }, 410: { description: 'DOCUMENT_LINK_EXPIRED' } },
    handler: async ({ params }, _req, res) => {
      const doc = documentOfToken(links.secret, params.token, deps.now?.() ?? new Date());
      if (!doc) throw ApiError.notFound('Document');
      if (doc.expired) throw new ApiError(410, 'DOCUMENT_LINK_EXPIRED', 'This download link has expired; please ask the clinic for the document');
      const owner =
        doc.kind === 'invoice'
          ? await deps.prisma.invoice.findUnique({ where: { id: doc.id }, select: { clinicId: true } })
          : doc.kind === 'receipt'
            ? await deps.prisma.receipt.findUnique({ where: { id: doc.id }, select: { clinicId: true } })
            : await deps.prisma.creditNote.findUnique({ where: { id: doc.id }, select: { clinicId: true } });
      if (!owner) throw ApiError.notFound('Document');
      const db = scopedToClinic(deps.prisma, owner.clinicId);
      sendPdf(res, doc.kind === 'invoice' ? await invoicePdf(db, doc.id) : doc.kind === 'receipt' ? await receiptPdf(db, { id: doc.id }) : await creditNotePdf(db, doc.id));
    },
  });
}
