/**
 * Starts the deliveries of the messages written with new billing documents (receipts, credit
 * notes, invoices), after their transaction committed. The document is recorded either way: a
 * Temporal that cannot take the start now is logged (ids only, never the link) and the message
 * stays PENDING in the delivery log, where an admin can run it (POST /messages/:id/retry).
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { payLinkSettings } from '../../activities/payments/pay-links';
import { messageDeliveryStart } from '../../domain/temporal';
import { type DocumentLinks, type DocumentMessage } from '../../prisma/billing/documents';
import { type ApiDeps } from '../deps';
import { startWorkflow } from './start-workflow';

/** The base URL and signing secret of document download links: the same as payment links'. */
export const documentLinks = (deps: Pick<ApiDeps, 'config'>): DocumentLinks => payLinkSettings(deps.config);

export async function startDocumentMessages(deps: Pick<ApiDeps, 'temporal' | 'logger'>, clinicId: string, messages: ReadonlyArray<DocumentMessage | null | undefined>): Promise<void> {
  for (const m of messages) {
    if (!m) continue;
    try {
      await startWorkflow(deps, 'messageDeliveryWorkflow', { ...messageDeliveryStart(clinicId, m.messageId, m.patientId), workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE }, 'The message could not be started');
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) continue;
      deps.logger.warn({ clinicId, messageId: m.messageId }, 'billing document message left pending');
    }
  }
}
