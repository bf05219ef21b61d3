/**
 * Invoices, receipts and credit notes through the real API and the real completion activity, over
 * real PostgreSQL: tax per line in Decimal, numbers without gaps or repeats under concurrent
 * completions, a receipt per payment and a credit note per refund, corrections, the PDFs read back
 * with pdf-parse, and the receipt e-mailed by the delivery workflow (a real worker) to a local SMTP
 * server with a download link that works without signing in.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PDFParse } from 'pdf-parse';
import { documentToken } from '../../prisma/billing/document-links';
import { createAppointmentActivities } from '../../activities/appointments/appointment-activities';
import { createMonthlyInvoicingActivities } from '../../activities/billing/monthly-invoicing';
import { MockActivityEnvironment } from '@temporalio/testing';
import { payLinkSettings } from '../../activities/payments/pay-links';
import { type SmtpPeer, startSmtpPeer } from '../../test/fakes/smtp-peer';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { eventually } from '../../test/support/eventually';
import { createPatient, insertAppointment } from '../../test/support/scheduling';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

const SMTP_ACCOUNT = { username: 'lotus-desk', password: 'lotus-smtp-password-1' };
const YEAR = new Date().getUTCFullYear();

interface InvoiceBody {
  id: string;
  number: string;
  status: string;
  total: string;
  subtotal: string;
  taxTotal: string;
  taxLabel: string;
  appointmentId: string | null;
  lines: Array<{ description: string; unitPrice: string; net: string; tax: string; total: string; appointmentId: string | null }>;
  creditNotes: Array<{ id: string; number: string; amount: string }>;
  correctsInvoiceId: string | null;
}

let api: TestApi;
let smtp: SmtpPeer;
let worker: TestWorker;

before(async () => {
  smtp = await startSmtpPeer(SMTP_ACCOUNT);
  api = await startTestApi();
  worker = await startTestWorker(api, { smtp: smtp.url });
});
after(async () => {
  await worker?.stop();
  await api?.close();
  await smtp?.stop();
});

const pdfText = async (body: Buffer) => {
  const parser = new PDFParse({ data: new Uint8Array(body) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
};
const binary = (res: { on: (e: string, cb: (chunk?: Buffer) => void) => void }, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c) => chunks.push(c!));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

/** A clinic in INR with GST 18 % added on top, e-mailing its documents through its own SMTP account. */
async function lotusClinic(billing: object = { taxLabel: 'GST', taxRatePercent: '18', pricesIncludeTax: false }) {
  const clinic = await createClinic(api, { tier: 'XL', name: `Lotus ${randomUUID().slice(0, 6)}` });
  await api.db.prisma.clinic.update({ where: { id: clinic.id }, data: { currency: 'INR', settings: { billing } } });
  const admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
  await api.http
    .put(`/api/v1/clinics/${clinic.id}/communication/email`)
    .set(bearer(admin))
    .send({ providers: [{ provider: 'smtp', credentials: { host: 'mail.example.test', port: 587, ...SMTP_ACCOUNT, fromAddress: 'desk@lotus.test' } }], settings: { retryAttempts: 1 } })
    .expect(200);
  const accountant = await actor(api, 'ACCOUNTANT', clinic.id);
  const receptionist = await actor(api, 'RECEPTIONIST', clinic.id);
  const therapist = await actor(api, 'THERAPIST', clinic.id);
  const therapy = await api.db.prisma.therapyType.create({ data: { clinicId: clinic.id, name: 'Physiotherapy', defaultDurationMinutes: 45, defaultPrice: '1200.00', currency: 'INR' } });
  let hour = 0;
  /** A session in progress (to be completed), or already in another state. */
  const session = async (patientId: string, price = '1200.00', discount = '0', status: 'IN_PROGRESS' | 'COMPLETED' = 'IN_PROGRESS') => {
    const startsAt = new Date(Date.UTC(YEAR, 0, 5, 0) + ++hour * 3_600_000);
    return insertAppointment(api, { clinicId: clinic.id, patientId, practitionerId: therapist.id, therapyTypeId: therapy.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(), status, price, discount });
  };
  const patient = async (email: string | null = `p-${randomUUID().slice(0, 8)}@patients.test`) => {
    const p = await createPatient(api, clinic.id);
    return api.db.prisma.patient.update({ where: { id: p.id }, data: { email, firstName: 'Asha' } });
  };
  return { clinicId: clinic.id, name: clinic.name, admin, accountant, receptionist, therapist, therapy, session, patient };
}

/** The completion activity as the appointment workflow runs it; `deliver` starts the message deliveries on the test worker. */
function completer(deliver: boolean) {
  return createAppointmentActivities({ prisma: api.db.prisma, payLinks: payLinkSettings(api.config), ...(deliver ? { temporal: api.temporal.client } : {}) });
}
const complete = (clinicId: string, appointmentId: string, deliver = false) =>
  completer(deliver).applyAppointmentTransition({ clinicId, appointmentId, action: 'complete', at: Date.now() });

const invoicesOf = async (who: Actor, query: string) => (await api.http.get(`/api/v1/invoices?${query}`).set(bearer(who)).expect(200)).body as { data: InvoiceBody[]; nextCursor: string | null };
const pay = (who: Actor, body: object) => api.http.post('/api/v1/payments').set(bearer(who)).set('Idempotency-Key', randomUUID()).send(body);

describe('invoices', () => {
  test('a completed session is invoiced once, from its therapy type, with GST per line; its dues are the invoice', async () => {
    const c = await lotusClinic();
    const p = await c.patient(null);
    const a = await c.session(p.id, '1200.00', '100.00');
    await complete(c.clinicId, a.id);
    await complete(c.clinicId, a.id); // a retried activity
    const { data } = await invoicesOf(c.accountant, `appointmentId=${a.id}`);
    assert.equal(data.length, 1);
    const inv = data[0]!;
    assert.equal(inv.number, `INV-${YEAR}-000001`);
    assert.deepEqual([inv.subtotal, inv.taxLabel, inv.taxTotal, inv.total, inv.status], ['1100.00', 'GST', '198.00', '1298.00', 'ISSUED']);
    assert.deepEqual(
      inv.lines.map((l) => [l.description, l.unitPrice, l.net, l.tax, l.total]),
      [[`Physiotherapy (${a.reservationId})`, '1200.00', '1100.00', '198.00', '1298.00']],
    );
    const dues = (await api.http.get(`/api/v1/patients/${p.id}/outstanding-dues`).set(bearer(c.accountant)).expect(200)).body as { total: string };
    assert.equal(dues.total, '1298.00');
    const one = (await api.http.get(`/api/v1/invoices/${inv.id}`).set(bearer(c.accountant)).expect(200)).body as InvoiceBody;
    assert.equal(one.number, inv.number);
    const pdf = await api.http.get(`/api/v1/invoices/${inv.id}/pdf`).set(bearer(c.accountant)).buffer(true).parse(binary).expect(200);
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    const textOf = await pdfText(pdf.body as Buffer);
    for (const expected of [c.name, 'Invoice', inv.number, 'Physiotherapy', 'GST 18%', '198.00', 'Total: 1298.00 INR', 'Asha']) assert.ok(textOf.includes(expected), `${expected} in ${textOf}`);
    // Filters and pagination.
    assert.equal((await invoicesOf(c.accountant, `patientId=${randomUUID()}`)).data.length, 0);
    assert.equal((await invoicesOf(c.accountant, 'status=CREDITED')).data.length, 0);
  });

  test("the session's treatment records add what was done beyond the session, less the record's discount", async () => {
    const c = await lotusClinic();
    const p = await c.patient(null);
    const a = await c.session(p.id, '1200.00');
    const taping = await api.db.prisma.therapyType.create({ data: { clinicId: c.clinicId, name: 'Kinesio taping', defaultDurationMinutes: 10, defaultPrice: '150.00', currency: 'INR' } });
    await api.db.prisma.treatmentRecord.create({
      data: {
        clinicId: c.clinicId, appointmentId: a.id, patientId: p.id, practitionerId: c.therapist.id, recordedById: c.therapist.id,
        durationMinutes: 45, cost: '1500.00', discount: '50.00', finalAmount: '1450.00', currency: 'INR',
        // One unit of the session's own therapy (the session line bills it) and two of taping.
        items: { create: [{ clinicId: c.clinicId, therapyTypeId: c.therapy.id, quantity: 1, unitPrice: '1200.00' }, { clinicId: c.clinicId, therapyTypeId: taping.id, quantity: 2, unitPrice: '150.00' }] },
      },
    });
    await complete(c.clinicId, a.id);
    const [inv] = (await invoicesOf(c.accountant, `appointmentId=${a.id}`)).data;
    assert.deepEqual(
      inv!.lines.map((l) => [l.description, l.unitPrice, l.net, l.tax, l.total]),
      [
        [`Physiotherapy (${a.reservationId})`, '1200.00', '1200.00', '216.00', '1416.00'],
        ['Kinesio taping', '150.00', '250.00', '45.00', '295.00'],
      ],
    );
    assert.deepEqual([inv!.subtotal, inv!.taxTotal, inv!.total], ['1450.00', '261.00', '1711.00']);
  });

  test('prices that include the tax have it taken out; no tax set: none', async () => {
    const inclusive = await lotusClinic({ taxLabel: 'VAT', taxRatePercent: '18', pricesIncludeTax: true });
    const p = await inclusive.patient(null);
    const a = await inclusive.session(p.id, '100.00');
    await complete(inclusive.clinicId, a.id);
    const [inv] = (await invoicesOf(inclusive.accountant, `appointmentId=${a.id}`)).data;
    assert.deepEqual([inv!.subtotal, inv!.taxTotal, inv!.total], ['84.75', '15.25', '100.00']);
    const plain = await lotusClinic({});
    const q = await plain.patient(null);
    const b = await plain.session(q.id, '33.33');
    await complete(plain.clinicId, b.id);
    const [other] = (await invoicesOf(plain.accountant, `appointmentId=${b.id}`)).data;
    assert.deepEqual([other!.taxLabel, other!.taxTotal, other!.total], ['Tax', '0.00', '33.33']);
  });

  test('50 concurrent completions (and 10 retried at once): numbers 1 to 50, no gap, no repeat', async () => {
    const c = await lotusClinic();
    const sessions = [];
    for (let i = 0; i < 50; i++) sessions.push(await c.session((await c.patient(null)).id, `${100 + i}.00`));
    await Promise.all([...sessions.map((s) => complete(c.clinicId, s.id)), ...sessions.slice(0, 10).map((s) => complete(c.clinicId, s.id))]);
    const rows = await api.db.prisma.invoice.findMany({ where: { clinicId: c.clinicId }, orderBy: { sequence: 'asc' } });
    assert.equal(rows.length, 50);
    assert.deepEqual(
      rows.map((r) => r.sequence),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.equal(new Set(rows.map((r) => r.number)).size, 50);
    assert.equal(new Set(rows.map((r) => r.appointmentId)).size, 50);
    const counter = await api.db.prisma.documentCounter.findFirstOrThrow({ where: { clinicId: c.clinicId, kind: 'INVOICE' } });
    assert.equal(counter.lastNumber, 50);
    // Two pages of 25 cover them all.
    const first = await invoicesOf(c.accountant, 'limit=25');
    const second = await invoicesOf(c.accountant, `limit=25&cursor=${first.nextCursor}`);
    assert.equal(new Set([...first.data, ...second.data].map((i) => i.number)).size, 50);
    assert.equal(second.nextCursor, null);
  });

  test('a receipt for every payment, a credit note for every refund; GET /payments/:id shows where it went', async () => {
    const c = await lotusClinic();
    const p = await c.patient(null);
    const a = await c.session(p.id, '1000.00');
    await complete(c.clinicId, a.id);
    // Ten payments at once against the session: ten receipts, numbered 1 to 10.
    const paid = await Promise.all(Array.from({ length: 10 }, () => pay(c.accountant, { patientId: p.id, appointmentId: a.id, amount: '100.00', method: 'CASH' }).expect(201)));
    const receipts = await api.db.prisma.receipt.findMany({ where: { clinicId: c.clinicId }, orderBy: { sequence: 'asc' } });
    assert.deepEqual(
      receipts.map((r) => r.number),
      Array.from({ length: 10 }, (_, i) => `RCT-${YEAR}-${String(i + 1).padStart(6, '0')}`),
    );
    assert.deepEqual(new Set(receipts.map((r) => r.paymentId)), new Set(paid.map((r) => (r.body as { id: string }).id)));
    const refund = (await pay(c.accountant, { patientId: p.id, appointmentId: a.id, amount: '-50.00', method: 'CASH', reason: 'Session cut short' }).expect(201)).body as { id: string };
    const detail = (await api.http.get(`/api/v1/payments/${refund.id}`).set(bearer(c.accountant)).expect(200)).body as {
      amount: string;
      allocation: { kind: string; appointmentId: string; reservationId: string };
      receipt: null;
      creditNote: { id: string; number: string };
    };
    assert.deepEqual([detail.amount, detail.allocation.kind, detail.allocation.reservationId, detail.receipt], ['-50.00', 'session', a.reservationId, null]);
    assert.equal(detail.creditNote.number, `CN-${YEAR}-000001`);
    const note = (await api.http.get(`/api/v1/credit-notes/${detail.creditNote.id}`).set(bearer(c.accountant)).expect(200)).body as { amount: string; reason: string; paymentId: string };
    assert.deepEqual([note.amount, note.reason, note.paymentId], ['50.00', 'Session cut short', refund.id]);
    const notePdf = await pdfText((await api.http.get(`/api/v1/credit-notes/${detail.creditNote.id}/pdf`).set(bearer(c.accountant)).buffer(true).parse(binary).expect(200)).body as Buffer);
    assert.ok(notePdf.includes(`Credit note CN-${YEAR}-000001`) && notePdf.includes('50.00 INR') && notePdf.includes('Session cut short'), notePdf);
    const firstPayment = (paid[0]!.body as { id: string }).id;
    const shown = (await api.http.get(`/api/v1/payments/${firstPayment}`).set(bearer(c.accountant)).expect(200)).body as { receipt: { number: string }; creditNote: null };
    assert.match(shown.receipt.number, new RegExp(`^RCT-${YEAR}-0000(0[1-9]|10)$`));
    const receiptPdf = await pdfText((await api.http.get(`/api/v1/payments/${firstPayment}/receipt`).set(bearer(c.accountant)).buffer(true).parse(binary).expect(200)).body as Buffer);
    for (const expected of [c.name, `Receipt ${shown.receipt.number}`, 'Amount received: 100.00 INR', 'Paid by cash', a.reservationId]) assert.ok(receiptPdf.includes(expected), `${expected} in ${receiptPdf}`);
    // A refund has no receipt; an unknown payment is not found.
    expectError(await api.http.get(`/api/v1/payments/${refund.id}/receipt`).set(bearer(c.accountant)), 404, 'NOT_FOUND');
    expectError(await api.http.get(`/api/v1/payments/${randomUUID()}`).set(bearer(c.accountant)), 404, 'NOT_FOUND');
  });

  test('prepaid credit used at completion is a payment with its receipt', async () => {
    const c = await lotusClinic();
    const p = await c.patient(null);
    await api.http.post(`/api/v1/patients/${p.id}/credits`).set(bearer(c.accountant)).set('Idempotency-Key', randomUUID()).send({ amount: '500.00', method: 'CASH' }).expect(201);
    const a = await c.session(p.id, '1000.00');
    await complete(c.clinicId, a.id);
    const payment = await api.db.prisma.payment.findFirstOrThrow({ where: { clinicId: c.clinicId, appointmentId: a.id }, include: { receipt: true } });
    assert.deepEqual([payment.method, payment.amount.toFixed(2), payment.receipt?.amount.toFixed(2)], ['CREDIT', '500.00', '500.00']);
    const dues = (await api.http.get(`/api/v1/patients/${p.id}/outstanding-dues`).set(bearer(c.accountant)).expect(200)).body as { total: string };
    assert.equal(dues.total, '680.00'); // 1180.00 invoiced, 500.00 from credit
  });

  test('a correction credits the invoice in full and issues a new one; the issued invoice is never edited', async () => {
    const c = await lotusClinic();
    const p = await c.patient(null);
    const a = await c.session(p.id, '1200.00');
    await complete(c.clinicId, a.id);
    const [original] = (await invoicesOf(c.accountant, `appointmentId=${a.id}`)).data;
    const path = `/api/v1/invoices/${original!.id}/corrections`;
    expectError(await api.http.post(path).set(bearer(c.receptionist)).send({ reason: 'Wrong price' }), 403, 'FORBIDDEN');
    expectError(await api.http.post(path).set(bearer(c.accountant)).send({ reason: 'Wrong price', lines: [{ description: 'x', unitPrice: '-1' }] }), 400, 'VALIDATION_ERROR');
    expectError(await api.http.post(path).set(bearer(c.accountant)).send({ reason: 'Wrong price', lines: [{ description: 'x', unitPrice: '10.00', discount: '10.01' }] }), 400, 'VALIDATION_ERROR');
    // 50 lines of 999 × 9,999,999.99 do not fit an invoice: refused, and nothing is credited.
    const huge = Array.from({ length: 50 }, () => ({ description: 'x', quantity: '999', unitPrice: '9999999.99' }));
    expectError(await api.http.post(path).set(bearer(c.accountant)).send({ reason: 'Too much', lines: huge }), 422, 'AMOUNT_OUT_OF_RANGE');
    assert.equal((await api.db.prisma.invoice.findUniqueOrThrow({ where: { id: original!.id } })).status, 'ISSUED');
    const res = await api.http
      .post(path)
      .set(bearer(c.accountant))
      .send({ reason: 'Wrong price', lines: [{ description: 'Physiotherapy, follow-up rate', unitPrice: '1000.00' }] })
      .expect(201);
    const { creditNote, invoice } = res.body as { creditNote: { number: string; amount: string; taxAmount: string; invoiceId: string }; invoice: InvoiceBody };
    assert.deepEqual([creditNote.number, creditNote.amount, creditNote.taxAmount, creditNote.invoiceId], [`CN-${YEAR}-000001`, '1416.00', '216.00', original!.id]);
    assert.deepEqual([invoice.number, invoice.total, invoice.correctsInvoiceId, invoice.status], [`INV-${YEAR}-000002`, '1180.00', original!.id, 'ISSUED']);
    const after = (await api.http.get(`/api/v1/invoices/${original!.id}`).set(bearer(c.accountant)).expect(200)).body as InvoiceBody;
    assert.deepEqual({ ...after, status: 'ISSUED', creditNotes: [] }, { ...original!, creditNotes: [] });
    assert.deepEqual([after.status, after.creditNotes.map((n) => n.number)], ['CREDITED', [creditNote.number]]);
    const dues = (await api.http.get(`/api/v1/patients/${p.id}/outstanding-dues`).set(bearer(c.accountant)).expect(200)).body as { total: string };
    assert.equal(dues.total, '1180.00');
    expectError(await api.http.post(path).set(bearer(c.accountant)).send({ reason: 'Again' }), 409, 'ALREADY_CREDITED');
    expectError(await api.http.post(`/api/v1/invoices/${randomUUID()}/corrections`).set(bearer(c.accountant)).send({ reason: 'x' }), 404, 'NOT_FOUND');
    // Without lines, the session's lines are derived again.
    const again = (await api.http.post(`/api/v1/invoices/${invoice.id}/corrections`).set(bearer(c.admin)).send({ reason: 'Back to the list price' }).expect(201)).body as { invoice: InvoiceBody };
    assert.deepEqual([again.invoice.number, again.invoice.total], [`INV-${YEAR}-000003`, '1416.00']);
    const newPdf = await pdfText((await api.http.get(`/api/v1/invoices/${invoice.id}/pdf`).set(bearer(c.accountant)).buffer(true).parse(binary).expect(200)).body as Buffer);
    assert.ok(newPdf.includes(`replaces invoice ${original!.number}`) && newPdf.includes('Credited in full by credit note'), newPdf);
  });

  test('practitioners and the front desk read no invoices', async () => {
    const c = await lotusClinic();
    for (const who of [c.receptionist, c.therapist]) {
      expectError(await api.http.get('/api/v1/invoices').set(bearer(who)), 403, 'FORBIDDEN');
      expectError(await api.http.get(`/api/v1/payments/${randomUUID()}`).set(bearer(who)), 403, 'FORBIDDEN');
    }
  });
});

describe('documents reach the patient', () => {
  test('an invoice, then a receipt, arrive by e-mail with a link that downloads the PDF without signing in', async () => {
    const c = await lotusClinic();
    const email = `asha-${randomUUID().slice(0, 8)}@patients.test`;
    const p = await c.patient(email);
    const a = await c.session(p.id, '1200.00');
    await complete(c.clinicId, a.id, true);
    const mails = () => smtp.received.filter((m) => m.to?.some((t) => t.address === email));
    await eventually('the invoice e-mail', async () => mails().length >= 1, 30_000);
    assert.match(mails()[0]!.subject ?? '', new RegExp(`^Your invoice INV-${YEAR}-000001 from ${c.name}$`));
    await pay(c.accountant, { patientId: p.id, appointmentId: a.id, amount: '1416.00', method: 'UPI' }).expect(201);
    await eventually('the receipt e-mail', async () => mails().length >= 2, 30_000);
    assert.equal(mails().length, 2);
    const receipt = mails()[1]!;
    assert.equal(receipt.subject, `Receipt RCT-${YEAR}-000001 for your payment to ${c.name}`);
    assert.ok(receipt.text?.includes('1416.00 INR (UPI)'), receipt.text);
    const link = /(https?:\/\/\S+\/api\/v1\/documents\/\S+)/.exec(receipt.text ?? '')?.[1];
    assert.ok(link, receipt.text);
    const path = new URL(link).pathname;
    const download = await api.http.get(path).buffer(true).parse(binary).expect(200);
    assert.equal(download.headers['content-type'], 'application/pdf');
    assert.ok((await pdfText(download.body as Buffer)).includes(`Receipt RCT-${YEAR}-000001`));
    // The token is a credential: never in the logs.
    const token = path.split('/').at(-1)!;
    assert.equal(api.logs().includes(token), false);
    // Forged and expired links.
    expectError(await api.http.get(`${path.slice(0, -3)}AAA`), 404, 'NOT_FOUND');
    const receiptRow = await api.db.prisma.receipt.findFirstOrThrow({ where: { clinicId: c.clinicId } });
    expectError(await api.http.get(`/api/v1/documents/${documentToken(api.config.JWT_SECRET, 'receipt', receiptRow.id, new Date(Date.now() - 1000))}`), 410, 'DOCUMENT_LINK_EXPIRED');
    expectError(await api.http.get(`/api/v1/documents/${documentToken('another-secret-entirely-0123456789', 'receipt', receiptRow.id, new Date(Date.now() + 86_400_000))}`), 404, 'NOT_FOUND');
  });

  test('a minor without an address of their own is reached through the guardian', async () => {
    const c = await lotusClinic();
    const guardian = `guardian-${randomUUID().slice(0, 8)}@patients.test`;
    const p = await c.patient(null);
    await api.db.prisma.patient.update({ where: { id: p.id }, data: { guardianEmail: guardian, guardianName: 'Ravi' } });
    const a = await c.session(p.id, '500.00', '0', 'COMPLETED');
    const res = await pay(c.accountant, { patientId: p.id, appointmentId: a.id, amount: '500.00', method: 'CASH' }).expect(201);
    await eventually('the receipt at the guardian', async () => smtp.received.some((m) => m.to?.some((t) => t.address === guardian) && m.subject?.startsWith('Receipt RCT-')), 30_000);
    const message = await api.db.prisma.message.findFirstOrThrow({ where: { clinicId: c.clinicId, templateKey: 'payment-receipt' } });
    assert.equal((message.metadata as { documentKind: string }).documentKind, 'receipt');
    assert.ok((res.body as { id: string }).id);
  });
});

const dues = async (c: { accountant: Actor }, patientId: string) => ((await api.http.get(`/api/v1/patients/${patientId}/outstanding-dues`).set(bearer(c.accountant)).expect(200)).body as { total: string }).total;

describe('monthly invoicing', () => {
  /** The month's close as the monthly Schedule's workflow runs it, at 08:00 on the 1st in Kolkata. */
  const close = (clinicId: string, month: number) =>
    new MockActivityEnvironment().run(createMonthlyInvoicingActivities({ prisma: api.db.prisma, temporal: api.temporal.client, payLinks: payLinkSettings(api.config) }).issueMonthlyInvoices, {
      clinicId,
      at: new Date(Date.UTC(YEAR, month - 1, 1, 2, 30)).toISOString(),
    });
  /** A session of 45 minutes at the given UTC time, in progress (to be completed). */
  const sessionAt = (c: Awaited<ReturnType<typeof lotusClinic>>, patientId: string, startsAt: Date, price: string) =>
    insertAppointment(api, { clinicId: c.clinicId, patientId, practitionerId: c.therapist.id, therapyTypeId: c.therapy.id, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 45 * 60_000).toISOString(), status: 'IN_PROGRESS', price });
  async function monthlyClinic() {
    const c = await lotusClinic({ taxLabel: 'GST', taxRatePercent: '18', pricesIncludeTax: false, invoicing: 'monthly' });
    await api.db.prisma.clinic.update({ where: { id: c.clinicId }, data: { timezone: 'Asia/Kolkata' } });
    return c;
  }

  test("completion issues nothing; the close gives each patient one invoice for the month's sessions, paid from credit as far as it goes, and e-mailed", async () => {
    const c = await monthlyClinic();
    const email = `meera-${randomUUID().slice(0, 8)}@patients.test`;
    const meera = await c.patient(email);
    const ravi = await c.patient(null);
    await api.http.post(`/api/v1/patients/${ravi.id}/credits`).set(bearer(c.accountant)).set('Idempotency-Key', randomUUID()).send({ amount: '2000.00', method: 'CASH' }).expect(201);
    const feb3 = await sessionAt(c, meera.id, new Date(Date.UTC(YEAR, 1, 3, 5)), '1000.00');
    const feb17 = await sessionAt(c, meera.id, new Date(Date.UTC(YEAR, 1, 17, 5)), '500.00');
    // 20:00 UTC on the last day of February is already 1 March in Kolkata: next month's.
    const march1 = await sessionAt(c, meera.id, new Date(Date.UTC(YEAR, 2, 0, 20)), '700.00');
    const raviFeb = await sessionAt(c, ravi.id, new Date(Date.UTC(YEAR, 1, 10, 5)), '1200.00');
    for (const a of [feb3, feb17, march1, raviFeb]) await complete(c.clinicId, a.id, true);
    assert.equal(await api.db.prisma.invoice.count({ where: { clinicId: c.clinicId } }), 0, 'nothing at completion');
    assert.equal(await api.db.prisma.payment.count({ where: { clinicId: c.clinicId, method: 'CREDIT' } }), 0, 'no credit used before the invoice');

    assert.deepEqual(await close(c.clinicId, 3), { month: `${YEAR}-02`, invoices: 2 });
    const [mine] = (await invoicesOf(c.accountant, `patientId=${meera.id}`)).data;
    assert.ok(mine);
    assert.equal(mine.appointmentId, null, "a month's invoice bills several sessions");
    assert.deepEqual(
      mine.lines.map((l) => [l.description, l.net, l.tax, l.total, l.appointmentId]),
      [
        [`${YEAR}-02-03 Physiotherapy (${feb3.reservationId})`, '1000.00', '180.00', '1180.00', feb3.id],
        [`${YEAR}-02-17 Physiotherapy (${feb17.reservationId})`, '500.00', '90.00', '590.00', feb17.id],
      ],
    );
    assert.equal(mine.total, '1770.00');
    assert.equal(await dues(c, meera.id), '2470.00', "the month's invoice, and March's session at its price until it is invoiced");
    // Ravi's 1416.00 came out of his 2000.00 of credit, with its receipt.
    const raviPaid = await api.db.prisma.payment.findFirstOrThrow({ where: { clinicId: c.clinicId, appointmentId: raviFeb.id }, include: { receipt: true } });
    assert.deepEqual([raviPaid.method, raviPaid.amount.toFixed(2), raviPaid.receipt?.amount.toFixed(2)], ['CREDIT', '1416.00', '1416.00']);
    assert.equal(await dues(c, ravi.id), '0.00');
    // A session's invoice is found through its lines.
    assert.deepEqual((await invoicesOf(c.accountant, `appointmentId=${feb17.id}`)).data.map((i) => i.id), [mine.id]);

    const mails = () => smtp.received.filter((m) => m.to?.some((t) => t.address === email));
    await eventually('the invoice e-mail', async () => mails().length >= 1, 30_000);
    assert.equal(mails()[0]!.subject, `Your invoice ${mine.number} from ${c.name}`);
    assert.ok(mails()[0]!.text?.includes('1770.00 INR'), mails()[0]!.text);

    // The same close again (a retry, a caught-up firing) issues nothing.
    assert.deepEqual(await close(c.clinicId, 3), { month: `${YEAR}-02`, invoices: 0 });
    assert.equal(await api.db.prisma.invoice.count({ where: { clinicId: c.clinicId } }), 2);
    // A February session completed after the close is on March's invoice, with March's session.
    const lateFeb = await sessionAt(c, meera.id, new Date(Date.UTC(YEAR, 1, 24, 5)), '100.00');
    await complete(c.clinicId, lateFeb.id);
    assert.deepEqual(await close(c.clinicId, 4), { month: `${YEAR}-03`, invoices: 1 });
    const march = (await invoicesOf(c.accountant, `patientId=${meera.id}`)).data.find((i) => i.id !== mine.id)!;
    assert.deepEqual(march.lines.map((l) => l.appointmentId), [lateFeb.id, march1.id]);
    assert.equal(await dues(c, meera.id), '2714.00'); // 1770.00 + 118.00 + 826.00
    await eventually('March invoice e-mail', async () => mails().length >= 2, 30_000);
  });

  test("a month's invoice is corrected per session: derived again, or with lines that each name one of its sessions", async () => {
    const c = await monthlyClinic();
    const p = await c.patient(null);
    const a = await sessionAt(c, p.id, new Date(Date.UTC(YEAR, 4, 6, 5)), '1000.00');
    const b = await sessionAt(c, p.id, new Date(Date.UTC(YEAR, 4, 7, 5)), '1000.00');
    for (const s of [a, b]) await complete(c.clinicId, s.id);
    await close(c.clinicId, 6);
    const [inv] = (await invoicesOf(c.accountant, `patientId=${p.id}`)).data;
    const correct = (body: object) => api.http.post(`/api/v1/invoices/${inv!.id}/corrections`).set(bearer(c.accountant)).send(body);
    expectError(await correct({ reason: 'Second visit was shorter', lines: [{ description: 'Short visit', unitPrice: '400.00' }] }), 422, 'SESSION_REQUIRED');
    expectError(await correct({ reason: 'Wrong session', lines: [{ description: 'Elsewhere', unitPrice: '400.00', appointmentId: randomUUID() }] }), 422, 'UNKNOWN_SESSION');
    assert.equal((await api.db.prisma.invoice.findUniqueOrThrow({ where: { id: inv!.id } })).status, 'ISSUED', 'a refused correction changes nothing');
    const res = await correct({ reason: 'Second visit was shorter', lines: [{ description: 'Physiotherapy', unitPrice: '1000.00', appointmentId: a.id }, { description: 'Short visit', unitPrice: '400.00', appointmentId: b.id }] }).expect(201);
    const { invoice } = res.body as { invoice: InvoiceBody };
    assert.equal(invoice.total, '1652.00');
    assert.equal(await dues(c, p.id), '1652.00');
    // Without lines, the sessions' own lines again, dated.
    const again = await api.http.post(`/api/v1/invoices/${invoice.id}/corrections`).set(bearer(c.accountant)).send({ reason: 'Back to the booked prices' }).expect(201);
    const derived = (again.body as { invoice: InvoiceBody }).invoice;
    assert.deepEqual(derived.lines.map((l) => [l.description.slice(0, 10), l.appointmentId]), [[`${YEAR}-05-06`, a.id], [`${YEAR}-05-07`, b.id]]);
    assert.equal(await dues(c, p.id), '2360.00');
  });
});

describe('package sessions and package receipts', () => {
  test('a session taken from a package has nothing to bill: no invoice; the package itself has its receipt, e-mailed', async () => {
    const c = await lotusClinic();
    const email = `pkg-${randomUUID().slice(0, 8)}@patients.test`;
    const p = await c.patient(email);
    const plan = (await api.http.post('/api/v1/package-plans').set(bearer(c.admin)).send({ name: '5 physiotherapy sessions', kind: 'PACKAGE', sessions: 5, validityDays: 60, price: '5000.00', therapyTypeIds: [c.therapy.id] }).expect(201)).body as { id: string };
    const sold = (await api.http.post(`/api/v1/patients/${p.id}/packages`).set(bearer(c.receptionist)).set('Idempotency-Key', randomUUID()).send({ planId: plan.id, method: 'UPI' }).expect(201)).body as { workflowId: string };
    const mails = () => smtp.received.filter((m) => m.to?.some((t) => t.address === email));
    await eventually('the package receipt e-mail', async () => mails().length >= 1, 30_000);
    assert.match(mails()[0]!.subject ?? '', new RegExp(`^Receipt RCT-${YEAR}-\\d{6} for your payment to ${c.name}$`));
    assert.ok(mails()[0]!.text?.includes('5000.00 INR (UPI)'), mails()[0]!.text);
    await api.temporal.client.workflow.getHandle(sold.workflowId).terminate('test done');

    // A session priced 0.00 (as a booking from the package is) is completed without an invoice or a message.
    const a = await c.session(p.id, '0.00');
    await complete(c.clinicId, a.id, true);
    assert.equal((await invoicesOf(c.accountant, `appointmentId=${a.id}`)).data.length, 0);
    assert.equal(await api.db.prisma.invoice.count({ where: { clinicId: c.clinicId } }), 0);
    assert.equal(await dues(c, p.id), '0.00');
  });
});
