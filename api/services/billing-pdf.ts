/**
 * Invoices, receipts and credit notes as PDF (pdfkit): the clinic's name, the document's number
 * and date (clinic time), who it is for, its lines with their tax, and the totals in the clinic's
 * currency. Built from the stored rows on each request, so a document always prints as issued.
 */
import PDFDocument from 'pdfkit';
import { localDate } from '../../domain/dates';
import { methodName } from '../../prisma/billing/documents';
import { type TenantDb } from '../../prisma/tenant';
import { ApiError } from '../http/api-error';

interface PdfLine {
  description: string;
  quantity: string;
  unitPrice: string;
  discount: string;
  net: string;
  tax: string;
  total: string;
}

export interface PdfContent {
  title: string;
  number: string;
  issuedOn: string;
  clinicName: string;
  billedTo: string;
  currency: string;
  lines: PdfLine[];
  /** [label, amount] at the foot, the last one in bold. */
  totals: Array<[string, string]>;
  notes: string[];
}

export function renderPdf(c: PdfContent): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${c.title} ${c.number}`, Author: c.clinicName } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font('Helvetica-Bold').fontSize(18).text(c.clinicName);
    doc.moveDown(0.5).fontSize(14).text(`${c.title} ${c.number}`);
    doc.font('Helvetica').fontSize(10).text(`Date: ${c.issuedOn}`).text(`Billed to: ${c.billedTo}`).text(`Currency: ${c.currency}`);
    doc.moveDown();

    if (c.lines.length) {
      const cols = [50, 250, 290, 350, 400, 455, 505];
      const row = (cells: string[], bold = false) => {
        const y = doc.y;
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
        cells.forEach((cell, i) => doc.text(cell, cols[i]!, y, { width: (cols[i + 1] ?? 555) - cols[i]! - 4, align: i === 0 ? 'left' : 'right' }));
        doc.moveDown(0.4);
        doc.x = 50;
      };
      row(['Description', 'Qty', 'Unit price', 'Discount', 'Net', 'Tax', 'Total'], true);
      for (const l of c.lines) row([l.description, l.quantity, l.unitPrice, l.discount, l.net, l.tax, l.total]);
      doc.moveDown();
    }

    c.totals.forEach(([label, amount], i) => {
      const last = i === c.totals.length - 1;
      doc.font(last ? 'Helvetica-Bold' : 'Helvetica').fontSize(last ? 11 : 10).text(`${label}: ${amount} ${c.currency}`, 50, doc.y, { align: 'right' });
    });
    doc.moveDown();
    doc.font('Helvetica').fontSize(9);
    for (const note of c.notes) doc.text(note, 50, doc.y);
    doc.end();
  });
}

const fullName = (p: { firstName: string; lastName: string }) => `${p.firstName} ${p.lastName}`;

export async function invoicePdf(db: TenantDb, id: string): Promise<{ number: string; pdf: Buffer }> {
  const inv = await db.invoice.findFirst({ where: { id }, include: { lines: { orderBy: { position: 'asc' } }, clinic: true, patient: true, creditNotes: true } });
  if (!inv) throw ApiError.notFound('Invoice');
  const corrects = inv.correctsInvoiceId ? await db.invoice.findFirst({ where: { id: inv.correctsInvoiceId }, select: { number: true } }) : null;
  const rate = inv.taxRate.toFixed(2).replace(/\.?0+$/, '');
  const pdf = await renderPdf({
    title: 'Invoice',
    number: inv.number,
    issuedOn: localDate(inv.issuedAt, inv.clinic.timezone),
    clinicName: inv.clinic.name,
    billedTo: fullName(inv.patient),
    currency: inv.currency,
    lines: inv.lines.map((l) => ({
      description: l.description,
      quantity: l.quantity.toFixed(2).replace(/\.00$/, ''),
      unitPrice: l.unitPrice.toFixed(2),
      discount: l.discount.toFixed(2),
      net: l.net.toFixed(2),
      tax: l.tax.toFixed(2),
      total: l.total.toFixed(2),
    })),
    totals: [
      ['Subtotal', inv.subtotal.toFixed(2)],
      [`${inv.taxLabel} ${rate}%${inv.pricesIncludeTax ? ' (included)' : ''}`, inv.taxTotal.toFixed(2)],
      ['Total', inv.total.toFixed(2)],
    ],
    notes: [
      ...(corrects ? [`This invoice replaces invoice ${corrects.number}.`] : []),
      ...inv.creditNotes.map((n) => `Credited in full by credit note ${n.number}: ${n.reason}`),
    ],
  });
  return { number: inv.number, pdf };
}

export async function receiptPdf(db: TenantDb, where: { id?: string; paymentId?: string }): Promise<{ number: string; pdf: Buffer }> {
  const r = await db.receipt.findFirst({ where, include: { clinic: true, patient: true, payment: { include: { appointment: { select: { reservationId: true } } } } } });
  if (!r) throw ApiError.notFound('Receipt');
  const pdf = await renderPdf({
    title: 'Receipt',
    number: r.number,
    issuedOn: localDate(r.issuedAt, r.clinic.timezone),
    clinicName: r.clinic.name,
    billedTo: fullName(r.patient),
    currency: r.currency,
    lines: [],
    totals: [['Amount received', r.amount.toFixed(2)]],
    notes: [`Paid by ${methodName(r.method)}.`, r.payment.appointment ? `For session ${r.payment.appointment.reservationId}.` : 'Paid on account.'],
  });
  return { number: r.number, pdf };
}

export async function creditNotePdf(db: TenantDb, id: string): Promise<{ number: string; pdf: Buffer }> {
  const n = await db.creditNote.findFirst({ where: { id }, include: { clinic: true, patient: true, invoice: { select: { number: true } } } });
  if (!n) throw ApiError.notFound('Credit note');
  const pdf = await renderPdf({
    title: 'Credit note',
    number: n.number,
    issuedOn: localDate(n.issuedAt, n.clinic.timezone),
    clinicName: n.clinic.name,
    billedTo: fullName(n.patient),
    currency: n.currency,
    lines: [],
    totals: [...(n.taxAmount.isZero() ? [] : ([['Tax included', n.taxAmount.toFixed(2)]] as Array<[string, string]>)), ['Amount credited', n.amount.toFixed(2)]],
    notes: [n.invoice ? `Credits invoice ${n.invoice.number} in full.` : 'Refund of a payment.', `Reason: ${n.reason}`],
  });
  return { number: n.number, pdf };
}
