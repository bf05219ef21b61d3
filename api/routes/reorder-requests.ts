/**
 * Reorder requests: staff ask for stock to be reordered; an admin approves or rejects; each
 * request is the workflow reorder/<clinicId>/<id>, which reminds the approvers after 2 days and
 * lets the request expire after 7.
 */
import { randomUUID } from 'node:crypto';
import { type Request } from 'express';
import { reorderRequestUpdates } from '../../domain/reorder-requests';
import { reorderRequestStart, workflowIds } from '../../domain/temporal';
import { type ReorderRequest } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { type z } from '../openapi/zod';
import { idParams, page } from '../schemas/common';
import { createReorderRequestBody, reorderDecisionBody, reorderRequestListQuery, reorderRequestResponse } from '../schemas/inventory';
import { writeAudit } from '../services/audit';
import { startWorkflow } from '../services/start-workflow';
import { steer } from '../services/workflow-updates';

export function presentReorderRequest(r: ReorderRequest): z.infer<typeof reorderRequestResponse> {
  return {
    id: r.id,
    itemId: r.itemId,
    quantity: r.quantity,
    reason: r.reason,
    status: r.status,
    requestedById: r.requestedById,
    decidedById: r.decidedById,
    decisionNotes: r.decisionNotes,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    remindedAt: r.remindedAt?.toISOString() ?? null,
    workflowId: r.workflowId,
    createdAt: r.createdAt.toISOString(),
  };
}

export function reorderRequestRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  async function find(req: Request, id: string): Promise<ReorderRequest> {
    const request = await req.tenant!.db.reorderRequest.findUnique({ where: { id } });
    if (!request) throw ApiError.notFound('Reorder request');
    return request;
  }

  async function decide(req: Request, id: string, update: (typeof reorderRequestUpdates)[keyof typeof reorderRequestUpdates], notes: string | undefined): Promise<ReorderRequest> {
    const request = await find(req, id);
    // A decided request's workflow has ended: say so without asking it.
    if (request.status !== 'PENDING') throw ApiError.conflict('NOT_PENDING', `The request is ${request.status}`);
    await steer(deps, request.workflowId, update, [{ byId: req.auth!.userId, notes }], request.status);
    return find(req, id);
  }

  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Ask for stock to be reordered; the clinic\'s admins are told and decide',
      access: 'reorder:request',
      tenant: true,
      body: createReorderRequestBody,
      responses: { 201: { description: 'The pending request', schema: reorderRequestResponse }, 404: { description: 'No such item' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const item = await db.inventoryItem.findUnique({ where: { id: body.itemId }, select: { id: true, archivedAt: true } });
        if (!item || item.archivedAt) throw ApiError.notFound('Inventory item');
        const id = randomUUID();
        const created = await db.$transaction(async (tx) => {
          const row = await tx.reorderRequest.create({
            data: { id, clinicId, itemId: item.id, quantity: body.quantity, reason: body.reason ?? null, requestedById: req.auth!.userId, workflowId: workflowIds.reorderRequest(clinicId, id) },
          });
          await writeAudit(tx, req, { action: 'reorder-request.create', entityType: 'ReorderRequest', entityId: id, clinicId, after: row });
          // Last: a failed start rolls the request back; the workflow waits for the commit to read it.
          await startWorkflow(deps, 'reorderRequestWorkflow', reorderRequestStart(clinicId, id), 'The request could not be made right now; try again later');
          return row;
        });
        res.status(201).json(presentReorderRequest(created));
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: 'List reorder requests, oldest first',
      access: 'inventory:read',
      tenant: true,
      query: reorderRequestListQuery,
      responses: { 200: { description: 'A page of requests', schema: page(reorderRequestResponse) } },
      handler: async ({ query }, req, res) => {
        const rows = await req.tenant!.db.reorderRequest.findMany({
          where: { ...(query.status ? { status: query.status } : {}), ...(query.itemId ? { itemId: query.itemId } : {}) },
          // Ids are random (the workflow id needs one before the insert): the order is the time asked.
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          ...pageArgs(query.limit, query.cursor),
        });
        res.json(toPage(rows, query.limit, presentReorderRequest));
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a reorder request',
      access: 'inventory:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The request', schema: reorderRequestResponse }, 404: { description: 'No such request' } },
      handler: async ({ params }, req, res) => {
        res.json(presentReorderRequest(await find(req, params.id)));
      },
    })
    .route({
      method: 'post',
      path: '/:id/approve',
      summary: 'Approve a reorder request',
      access: 'reorder:decide',
      tenant: true,
      params: idParams,
      body: reorderDecisionBody,
      responses: { 200: { description: 'The approved request', schema: reorderRequestResponse }, 404: { description: 'No such request' }, 409: { description: 'NOT_PENDING' } },
      handler: async ({ params, body }, req, res) => {
        res.json(presentReorderRequest(await decide(req, params.id, reorderRequestUpdates.approve, body.notes)));
      },
    })
    .route({
      method: 'post',
      path: '/:id/reject',
      summary: 'Reject a reorder request',
      access: 'reorder:decide',
      tenant: true,
      params: idParams,
      body: reorderDecisionBody,
      responses: { 200: { description: 'The rejected request', schema: reorderRequestResponse }, 404: { description: 'No such request' }, 409: { description: 'NOT_PENDING' } },
      handler: async ({ params, body }, req, res) => {
        res.json(presentReorderRequest(await decide(req, params.id, reorderRequestUpdates.reject, body.notes)));
      },
    });
}
