import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  type DocumentationDeadlineInput,
  type DocumentationNotice,
  type DocumentationOutcome,
  documentationSigned,
  type DocumentationState,
  documentationStateQuery,
  WAIT_AFTER_ESCALATION_MS,
} from '../../domain/documentation';
import { deliverMessage } from '../messaging/deliver-message';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A completed session's deadline to be documented: the practitioner is reminded at half-time, the
 * clinic's managers and admins are told once when the time is up, and the documentationSigned
 * signal (sent when the session's report or record is signed) ends it. Each notice first checks
 * the database, so a signature whose signal was lost still silences it.
 */
export async function documentationDeadlineWorkflow({ clinicId, appointmentId }: DocumentationDeadlineInput): Promise<DocumentationOutcome> {
  let signed = false;
  const state: DocumentationState = { status: 'WAITING', dueAt: null };
  setHandler(documentationSigned, () => {
    signed = true;
  });
  setHandler(documentationStateQuery, () => ({ ...state, status: signed ? 'SIGNED' : state.status }));

  const task = await acts.loadDocumentationTask({ clinicId, appointmentId, at: Date.now() });
  if (!task || task.documented) return task ? 'SIGNED' : 'ABANDONED';
  state.dueAt = new Date(task.dueAt).toISOString();
  const halfTime = Date.now() + (task.dueAt - Date.now()) / 2;

  /** False when the session turned out to be documented already (its signal may have been lost). */
  async function notify(notice: DocumentationNotice): Promise<boolean> {
    const { documented, messageIds } = await acts.createDocumentationMessages({ clinicId, appointmentId, notice });
    for (const id of messageIds) await deliverMessage(clinicId, id, { appointmentId });
    return !documented;
  }
  const until = (at: number) => condition(() => signed, Math.max(at - Date.now(), 0));

  if ((await until(halfTime)) || !(await notify('reminder'))) return 'SIGNED';
  state.status = 'REMINDED';
  if ((await until(task.dueAt)) || !(await notify('overdue'))) return 'SIGNED';
  state.status = 'ESCALATED';
  return (await until(Date.now() + WAIT_AFTER_ESCALATION_MS)) ? 'SIGNED_LATE' : 'ABANDONED';
}
