/**
 * The clinic's expenses (seed 004): admin and accountant record them, every other clinic role
 * reads them. A receipt file (scan or PDF) may be attached; it lives in the file storage and is
 * served only to the roles that keep the books (expense:receipt).
 */
import express, { type RequestHandler } from 'express';
import { type Expense } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import { createExpenseBody, expenseListQuery, expenseResponse, RECEIPT_MAX_BYTES, RECEIPT_TYPES, updateExpenseBody } from '../schemas/expenses';
import { writeAudit } from '../services/audit';
import { createFileStorage } from '../storage/file-storage';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

export function presentExpense(e: Expense): z.infer<typeof expenseResponse> {
  return {
    id: e.id,
    category: e.category,
    amount: e.amount.toFixed(2),
    currency: e.currency,
    date: e.date.toISOString().slice(0, 10),
    vendor: e.vendor,
    paymentMethod: e.paymentMethod as z.infer<typeof expenseResponse>['paymentMethod'],
    note: e.note,
    receipt: e.receiptKey ? { contentType: e.receiptContentType ?? 'application/octet-stream', size: e.receiptSize ?? 0 } : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** The media type without parameters, lower case. */
const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

/** Refuses other content types before a byte of the body is read. */
const receiptTypeOnly: RequestHandler = (req, _res, next) => {
  if (!(RECEIPT_TYPES as readonly string[]).includes(mediaType(req.headers['content-type']))) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `A receipt is one of ${RECEIPT_TYPES.join(', ')}`);
  }
  next();
};

export function expenseRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const files = deps.files ?? createFileStorage(deps.config);
  const receiptKey = (clinicId: string, expenseId: string) => `receipts/${clinicId}/${expenseId}`;

  // Before the content type is judged: another clinic's id answers 404 whatever the body.
  const expenseExists: RequestHandler = async (req, _res, next) => {
    const id = String(req.params.id ?? '');
    const found = /^[0-9a-f-]{36}$/i.test(id) ? await req.tenant!.db.expense.findUnique({ where: { id }, select: { id: true } }) : null;
    if (!found) throw ApiError.notFound('Expense');
    next();
  };

  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Record an expense',
      access: 'expense:manage',
      tenant: true,
      body: createExpenseBody,
      responses: { 201: { description: 'Recorded', schema: expenseResponse } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const created = await db.$transaction(async (tx) => {
          const clinic = await tx.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { currency: true } });
          const row = await tx.expense.create({
            data: { clinicId, ...body, date: day(body.date), vendor: body.vendor ?? null, note: body.note ?? null, currency: clinic.currency, createdById: req.auth!.userId },
          });
          await writeAudit(tx, req, { action: 'expense.create', entityType: 'Expense', entityId: row.id, clinicId, after: row });
          return row;
        });
        res.status(201).json(presentExpense(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List the clinic's expenses, newest first",
      access: 'expense:read',
      tenant: true,
      query: expenseListQuery,
      responses: { 200: { description: 'A page of expenses', schema: page(expenseResponse) } },
      handler: async ({ query }, req, res) => {
        const date = { ...(query.from ? { gte: day(query.from) } : {}), ...(query.to ? { lte: day(query.to) } : {}) };
        const rows = await req.tenant!.db.expense.findMany({
          where: { ...(query.from || query.to ? { date } : {}), ...(query.category ? { category: query.category } : {}) },
          orderBy: [{ id: 'desc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentExpense));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read an expense',
      access: 'expense:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The expense', schema: expenseResponse } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.expense.findUnique({ where: { id: params.id } });
        if (!row) throw ApiError.notFound('Expense');
        res.json(presentExpense(row));
      },
    })
    .route({
      method: 'put',
      path: '/:id',
      summary: 'Change an expense (the fields given)',
      access: 'expense:manage',
      tenant: true,
      params: idParams,
      body: updateExpenseBody,
      responses: { 200: { description: 'The changed expense', schema: expenseResponse } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const updated = await db.$transaction(async (tx) => {
          const before = await tx.expense.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Expense');
          const after = await tx.expense.update({ where: { id: before.id }, data: { ...body, ...(body.date ? { date: day(body.date) } : {}) } });
          await writeAudit(tx, req, { action: 'expense.update', entityType: 'Expense', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentExpense(updated));
      },
    })
    .route({
      method: 'delete',
      path: '/:id',
      summary: 'Delete an expense and its receipt',
      access: 'expense:manage',
      tenant: true,
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const gone = await db.$transaction(async (tx) => {
          const before = await tx.expense.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Expense');
          await tx.expense.delete({ where: { id: before.id } });
          await writeAudit(tx, req, { action: 'expense.delete', entityType: 'Expense', entityId: before.id, clinicId, before });
          return before;
        });
        // After the commit: a file left behind by a failed delete is harmless, a row pointing at no file is not.
        if (gone.receiptKey) await files.delete(gone.receiptKey);
        res.status(204).end();
      },
    })
    .route({
      method: 'put',
      path: '/:id/receipt',
      summary: 'Attach (or replace) the receipt file: the raw bytes as the body',
      description: `Content-Type one of ${RECEIPT_TYPES.join(', ')}; at most ${RECEIPT_MAX_BYTES / 1024 / 1024} MB (413 beyond, 415 for other types).`,
      access: 'expense:manage',
      tenant: true,
      params: idParams,
      before: [expenseExists, receiptTypeOnly, express.raw({ type: () => true, limit: RECEIPT_MAX_BYTES })],
      responses: { 200: { description: 'The expense with its receipt', schema: expenseResponse }, 413: { description: 'Larger than the cap' }, 415: { description: 'Not a PDF or an image' } },
      handler: async ({ params }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        if (bytes.length === 0) throw ApiError.badRequest('EMPTY_RECEIPT', 'The receipt file is empty');
        const contentType = mediaType(req.headers['content-type']);
        const existing = await db.expense.findUnique({ where: { id: params.id }, select: { id: true } });
        if (!existing) throw ApiError.notFound('Expense');
        const key = receiptKey(clinicId, existing.id);
        // The file first: a row never names a file that is not there.
        await files.put(key, bytes, contentType);
        const updated = await db.$transaction(async (tx) => {
          const before = await tx.expense.findUnique({ where: { id: params.id } });
          if (!before) throw ApiError.notFound('Expense');
          const after = await tx.expense.update({ where: { id: before.id }, data: { receiptKey: key, receiptContentType: contentType, receiptSize: bytes.length } });
          await writeAudit(tx, req, { action: 'expense.receipt', entityType: 'Expense', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(presentExpense(updated));
      },
    })
    .route({
      method: 'get',
      path: '/:id/receipt',
      summary: "Download the expense's receipt file",
      access: 'expense:receipt',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The file, with its content type' }, 404: { description: 'No such expense, or it has no receipt' } },
      handler: async ({ params }, req, res) => {
        const row = await req.tenant!.db.expense.findUnique({ where: { id: params.id } });
        if (!row?.receiptKey) throw ApiError.notFound('Receipt');
        const file = await files.get(row.receiptKey);
        if (!file) throw ApiError.notFound('Receipt');
        res.setHeader('Content-Type', file.contentType);
        res.setHeader('Content-Length', String(file.size));
        // Never rendered inline: a stored file is the uploader's content, not ours.
        res.setHeader('Content-Disposition', `attachment; filename="receipt-${row.id}"`);
        await new Promise<void>((resolve, reject) => {
          file.body.on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
        });
      },
    });
}
