import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  type DecisionArgs,
  expiresAt,
  RESCHEDULE_ERRORS,
  rescheduleRequestStateQuery,
  type RescheduleRequestStatus,
  rescheduleRequestUpdates,
} from '../../domain/reschedule-requests';
import { DATABASE_FAILURES } from '../../domain/database-failures';
import { isStorableText } from '../../domain/storable-text';
import { type RescheduleRequestInput } from '../../domain/temporal';
import { deliverMessage } from '../messaging/deliver-message';
import { asUpdateFailure } from './activity-refusal';
import { LOAD_ONCE_COMMITTED_PATCH, loadOnceCommitted } from './load-once-committed';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Before LOAD_ONCE_COMMITTED_PATCH: seven attempts, then WITHDRAWN even when the database was only down.
const { loadRescheduleRequest } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds', maximumAttempts: 7 },
});

// The API starts this workflow inside the transaction that inserts the request: a few quick tries,
// an absent row at once; loadOnceCommitted waits out outages and the commit window.
const { loadRescheduleRequest: loadCommittedRequest } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [RESCHEDULE_ERRORS.notFound] },
});

/**
 * A therapist's request to move a session: tells the clinic's admins, then waits for one of them
 * to approve or reject it, or for the therapist to withdraw it. Approval moves the appointment
 * through its own lifecycle workflow; if the time has been taken meanwhile the approval fails and
 * the request stays open. Undecided once the session is closer than 48 hours, it expires.
 */
export async function rescheduleRequestWorkflow({ clinicId, requestId }: RescheduleRequestInput): Promise<{ status: RescheduleRequestStatus }> {
  let status: RescheduleRequestStatus = 'PENDING';
  let deadline: number | null = null;
  /** Filled in once loaded: the request's messages carry its appointment's id, for ops' filters. */
  const about: { appointmentId?: string } = {};
  /** One decision at a time: two admins pressing approve and reject together get one answer each. */
  let busy = true; // until loaded

  setHandler(rescheduleRequestStateQuery, () => ({ status, expiresAt: status === 'PENDING' && deadline !== null ? new Date(deadline).toISOString() : null }));

  const notPending = () => ApplicationFailure.nonRetryable(`The request is ${status}`, RESCHEDULE_ERRORS.notPending);
  const validator = (args: DecisionArgs) => {
    if (status !== 'PENDING') throw notPending();
    // Refused before anything happens: an approval moves the appointment before it records the notes.
    if (!isStorableText(args.notes) || !isStorableText(args.byId)) throw ApplicationFailure.nonRetryable('The notes contain characters that cannot be stored', DATABASE_FAILURES.invalidEncoding);
  };

  async function decide(outcome: Exclude<RescheduleRequestStatus, 'PENDING'>, args: DecisionArgs, before?: () => Promise<void>) {
    await condition(() => !busy);
    if (status !== 'PENDING') throw notPending();
    busy = true;
    try {
      await before?.();
      await acts.decideRescheduleRequest({ clinicId, requestId, status: outcome, byId: args.byId, notes: args.notes, at: Date.now() });
      status = outcome;
    } catch (err) {
      // The appointment's refusal (SLOT_TAKEN, NOT_BOOKABLE, …) is the approval's answer, with its type.
      throw asUpdateFailure(err);
    } finally {
      busy = false;
    }
    if (outcome === 'APPROVED' || outcome === 'REJECTED') await notify(outcome === 'APPROVED' ? 'approved' : 'rejected');
    return { status };
  }

  async function notify(kind: 'requested' | 'approved' | 'rejected' | 'expired') {
    for (const messageId of await acts.createRescheduleMessages({ clinicId, requestId, kind })) await deliverMessage(clinicId, messageId, about);
  }

  setHandler(rescheduleRequestUpdates.approve, (args: DecisionArgs) => decide('APPROVED', args, () => acts.moveAppointmentForRequest({ clinicId, requestId })), { validator });
  setHandler(rescheduleRequestUpdates.reject, (args: DecisionArgs) => decide('REJECTED', args), { validator });
  setHandler(rescheduleRequestUpdates.withdraw, (args: DecisionArgs) => decide('WITHDRAWN', args), { validator });

  const loaded = patched(LOAD_ONCE_COMMITTED_PATCH)
    ? await loadOnceCommitted(() => loadCommittedRequest({ clinicId, requestId }), {
        notFoundType: RESCHEDULE_ERRORS.notFound,
        continueAsNew: () => continueAsNew<typeof rescheduleRequestWorkflow>({ clinicId, requestId }),
      })
    : await loadRescheduleRequest({ clinicId, requestId }).catch(() => undefined);
  if (!loaded) {
    // The request was never committed: nothing to decide.
    busy = false;
    return { status: 'WITHDRAWN' };
  }
  about.appointmentId = loaded.appointmentId;
  deadline = expiresAt(loaded.appointmentStartsAt);
  status = loaded.status;
  if (status === 'PENDING') await notify('requested');
  busy = false;

  const remaining = deadline - Date.now();
  const decided = remaining > 0 ? await condition(() => status !== 'PENDING', remaining) : status !== 'PENDING';
  if (!decided) {
    await condition(() => !busy);
    if (status === 'PENDING') {
      busy = true;
      await acts.decideRescheduleRequest({ clinicId, requestId, status: 'EXPIRED', at: Date.now() });
      status = 'EXPIRED';
      busy = false;
      await notify('expired');
    }
  }
  await condition(allHandlersFinished);
  return { status };
}
