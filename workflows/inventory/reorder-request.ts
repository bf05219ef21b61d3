import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { DATABASE_FAILURES } from '../../domain/database-failures';
import {
  nextReorderStep,
  REORDER_ERRORS,
  type ReorderDecisionArgs,
  type ReorderMessageKind,
  reorderRequestStateQuery,
  type ReorderRequestStatus,
  reorderRequestUpdates,
} from '../../domain/reorder-requests';
import { isStorableText } from '../../domain/storable-text';
import { type ReorderRequestInput } from '../../domain/temporal';
import { asUpdateFailure } from '../appointments/activity-refusal';
import { loadOnceCommitted } from '../appointments/load-once-committed';
import { deliverMessage } from '../messaging/deliver-message';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// The API starts this workflow inside the transaction that inserts the request: a few quick tries,
// an absent row at once; loadOnceCommitted waits out outages and the commit window.
const { loadReorderRequest } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: [REORDER_ERRORS.notFound] },
});

/**
 * A request to reorder stock: tells the clinic's admins, waits for one of them to approve or
 * reject it, reminds them once after 2 days, and expires it after 7. One change at a time: each
 * decision, the reminder and the expiry run one after the other (a promise chain), so two admins
 * deciding together get one answer each and an expiry never overtakes a decision under way.
 */
export async function reorderRequestWorkflow({ clinicId, requestId }: ReorderRequestInput): Promise<{ status: ReorderRequestStatus }> {
  let status: ReorderRequestStatus = 'PENDING';
  let reminded = false;
  let chain: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };

  setHandler(reorderRequestStateQuery, () => ({ status, reminded }));

  const notPending = () => ApplicationFailure.nonRetryable(`The request is ${status}`, REORDER_ERRORS.notPending);
  async function notify(kind: ReorderMessageKind) {
    for (const messageId of await acts.createReorderMessages({ clinicId, requestId, kind })) await deliverMessage(clinicId, messageId);
  }
  const conclude = (outcome: Exclude<ReorderRequestStatus, 'PENDING'>, args?: ReorderDecisionArgs) =>
    oneAtATime(async () => {
      if (status !== 'PENDING') throw notPending();
      try {
        await acts.decideReorderRequest({ clinicId, requestId, status: outcome, byId: args?.byId, notes: args?.notes, at: Date.now() });
      } catch (err) {
        throw asUpdateFailure(err);
      }
      status = outcome;
      return { status };
    });

  const validator = (args: ReorderDecisionArgs) => {
    if (status !== 'PENDING') throw notPending();
    if (!isStorableText(args.notes) || !isStorableText(args.byId)) throw ApplicationFailure.nonRetryable('The notes contain characters that cannot be stored', DATABASE_FAILURES.invalidEncoding);
  };
  const decide = (outcome: 'APPROVED' | 'REJECTED') => async (args: ReorderDecisionArgs) => {
    const result = await conclude(outcome, args);
    await notify(outcome === 'APPROVED' ? 'approved' : 'rejected');
    return result;
  };
  setHandler(reorderRequestUpdates.approve, decide('APPROVED'), { validator });
  setHandler(reorderRequestUpdates.reject, decide('REJECTED'), { validator });

  const loaded = await loadOnceCommitted(() => loadReorderRequest({ clinicId, requestId }), {
    notFoundType: REORDER_ERRORS.notFound,
    continueAsNew: () => continueAsNew<typeof reorderRequestWorkflow>({ clinicId, requestId }),
  });
  // The request never committed: nothing to decide.
  if (!loaded) return { status: 'EXPIRED' };
  // A decision taken while the request was being read (an admin quick off the mark) stands: the
  // row read may predate it, and taking the read's PENDING would wait days for a decided request.
  if (status === 'PENDING' || !patched('reorder-decided-before-load')) status = loaded.status;
  reminded ||= loaded.reminded;
  if (status === 'PENDING' && !reminded) await notify('requested');

  while (status === 'PENDING') {
    const step = nextReorderStep(loaded.createdAt, reminded);
    const wait = step.at - Date.now();
    if (wait > 0 && (await condition(() => status !== 'PENDING', wait))) break;
    if (step.kind === 'remind') {
      await oneAtATime(async () => {
        if (status !== 'PENDING') return;
        await acts.markReorderReminded({ clinicId, requestId, at: Date.now() });
        reminded = true;
        await notify('reminder');
      });
    } else {
      const expired = await conclude('EXPIRED').then(
        () => true,
        () => false,
      );
      if (expired) await notify('expired');
    }
  }
  await condition(allHandlersFinished);
  return { status };
}
