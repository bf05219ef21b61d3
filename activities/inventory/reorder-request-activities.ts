/**
 * What the reorder request workflow does outside itself: read the request, record its decision,
 * expiry and reminder, and write the messages to its approvers and its requester.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { REORDER_ERRORS, type ReorderMessageKind, type ReorderRequestStatus } from '../../domain/reorder-requests';
import { workflowIds } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { type Prisma } from '../../prisma/generated/client';
import { defaultMessageDeadline } from '../messaging/message-deadline';
import { stableMessageId } from '../messaging/message-ids';

/** Who may approve: the clinic's active admins. */
const APPROVER_ROLES = ['CLINIC_ADMIN'] as const;

export function createReorderRequestActivities({ prisma }: { prisma: PrismaClient }) {
  const load = (clinicId: string, requestId: string) => prisma.reorderRequest.findFirst({ where: { id: requestId, clinicId }, include: { item: true } });

  return {
    /** The request's status, when it was made and whether its reminder went: ids and times only. */
    async loadReorderRequest({ clinicId, requestId }: { clinicId: string; requestId: string }): Promise<{ status: ReorderRequestStatus; createdAt: number; reminded: boolean }> {
      const request = await load(clinicId, requestId);
      // The API starts the workflow inside the transaction that inserts the row: wait for the commit.
      if (!request) throw ApplicationFailure.retryable('The request is not (yet) in the database', REORDER_ERRORS.notFound);
      return { status: request.status, createdAt: request.createdAt.getTime(), reminded: request.remindedAt !== null };
    },

    /** Records the outcome of a request that is still pending; a repeat of the same outcome is a no-op. */
    async decideReorderRequest(input: { clinicId: string; requestId: string; status: Exclude<ReorderRequestStatus, 'PENDING'>; byId?: string; notes?: string; at: number }): Promise<void> {
      const { clinicId, requestId, status } = input;
      const { count } = await prisma.reorderRequest.updateMany({
        where: { id: requestId, clinicId, status: 'PENDING' },
        data: { status, decidedById: input.byId ?? null, decisionNotes: input.notes ?? null, decidedAt: new Date(input.at) },
      });
      if (count === 0) {
        const request = await prisma.reorderRequest.findFirst({ where: { id: requestId, clinicId }, select: { status: true } });
        if (request?.status !== status) throw ApplicationFailure.nonRetryable(`The request is ${request?.status ?? 'gone'}`, REORDER_ERRORS.notPending);
      }
    },

    async markReorderReminded({ clinicId, requestId, at }: { clinicId: string; requestId: string; at: number }): Promise<void> {
      await prisma.reorderRequest.updateMany({ where: { id: requestId, clinicId, remindedAt: null }, data: { remindedAt: new Date(at) } });
    },

    /** Approvers hear of a new, waiting or expired request; the requester of its decision. Email, staff addresses only. */
    async createReorderMessages({ clinicId, requestId, kind }: { clinicId: string; requestId: string; kind: ReorderMessageKind }): Promise<string[]> {
      const request = await load(clinicId, requestId);
      if (!request) return [];
      const toApprovers = kind === 'requested' || kind === 'reminder' || kind === 'expired';
      const staff = toApprovers
        ? await prisma.staffUser.findMany({ where: { clinicId, active: true, role: { in: [...APPROVER_ROLES] } }, select: { email: true } })
        : request.requestedById
          ? await prisma.staffUser.findMany({ where: { clinicId, active: true, id: request.requestedById }, select: { email: true } })
          : [];
      const variables = { itemName: request.item.name, sku: request.item.sku, quantity: request.quantity, unit: request.item.unit, decision: kind };
      const templateKey = kind === 'requested' ? 'reorder-requested' : kind === 'reminder' ? 'reorder-reminder' : 'reorder-decided';
      const rows: Prisma.MessageCreateManyInput[] = staff.map(({ email }) => {
        const id = stableMessageId('reorder', requestId, kind, email);
        return {
          id,
          clinicId,
          category: 'reorder-request',
          channels: ['email'],
          recipient: { email },
          templateKey,
          variables,
          metadata: { reorderRequestId: requestId, event: kind },
          workflowId: workflowIds.messageDelivery(clinicId, id),
        };
      });
      await prisma.message.createMany({ data: rows.map((r) => ({ expiresAt: defaultMessageDeadline(), ...r })), skipDuplicates: true });
      return rows.map((r) => r.id!);
    },
  };
}
