/**
 * The API's side of the documentation deadline (workflows/documentation/documentation-deadline.ts):
 * signing a session's progress report (or treatment record) tells its workflow, which ends. The
 * signature is already committed when this runs, and the workflow checks the database before
 * every notice, so a signal that cannot be sent (Temporal down, the workflow over) is logged and
 * nothing more: the caller's signing still succeeds.
 */
import { WorkflowNotFoundError } from '@temporalio/common';
import { documentationSigned } from '../../domain/documentation';
import { workflowIds } from '../../domain/temporal';
import { type ApiDeps } from '../deps';

const SIGNAL_DEADLINE_MS = 5_000;

export async function signalDocumentationSigned(deps: Pick<ApiDeps, 'temporal' | 'logger'>, clinicId: string, appointmentId: string): Promise<void> {
  try {
    const handle = deps.temporal.client.workflow.getHandle(workflowIds.documentationDeadline(clinicId, appointmentId));
    await deps.temporal.connection.withDeadline(Date.now() + SIGNAL_DEADLINE_MS, () => handle.signal(documentationSigned));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return; // finished, or the session completed before deadlines existed
    deps.logger.warn({ err: { type: (err as Error)?.name, message: (err as Error)?.message }, appointmentId }, 'documentation deadline not signalled');
  }
}
