/**
 * A request to reorder stock, decided by the clinic's admins in the workflow
 * reorder/<clinicId>/<requestId>: its rules and the workflow's interface.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const REORDER_REQUEST_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'] as const;
export type ReorderRequestStatus = (typeof REORDER_REQUEST_STATUSES)[number];

const DAY_MS = 24 * 3_600_000;
/** Undecided this long, the approvers are reminded once. */
export const REORDER_REMIND_AFTER_MS = 2 * DAY_MS;
/** Undecided this long, the request expires. */
export const REORDER_EXPIRE_AFTER_MS = 7 * DAY_MS;

export type ReorderStep = { kind: 'remind'; at: number } | { kind: 'expire'; at: number };

/** What the workflow waits for next, from when the request was made and whether the reminder went. */
export function nextReorderStep(createdAt: number, reminded: boolean): ReorderStep {
  return reminded ? { kind: 'expire', at: createdAt + REORDER_EXPIRE_AFTER_MS } : { kind: 'remind', at: createdAt + REORDER_REMIND_AFTER_MS };
}

export interface ReorderDecisionArgs {
  /** The admin deciding. */
  byId: string;
  notes?: string;
}

export const reorderRequestUpdates = {
  approve: defineUpdate<{ status: ReorderRequestStatus }, [ReorderDecisionArgs]>('approveReorder'),
  reject: defineUpdate<{ status: ReorderRequestStatus }, [ReorderDecisionArgs]>('rejectReorder'),
};

export interface ReorderRequestState {
  status: ReorderRequestStatus;
  reminded: boolean;
}

export const reorderRequestStateQuery = defineQuery<ReorderRequestState>('reorderRequestState');

export const REORDER_ERRORS = {
  notPending: 'REORDER_NOT_PENDING',
  notFound: 'REORDER_NOT_FOUND',
} as const;

export type ReorderMessageKind = 'requested' | 'reminder' | 'approved' | 'rejected' | 'expired';
