/**
 * Workflow interceptor: every workflow log line carries the clinic it works for. The clinic is
 * the second part of ClinicFlow's workflow ids (`appointment/<clinicId>/<appointmentId>`,
 * `message/<clinicId>/<messageId>` …); platform workflows (the licensing sweep) have none.
 * Adds log attributes only, no commands: replaying histories is unaffected.
 */
import { type WorkflowInterceptorsFactory, workflowInfo } from '@temporalio/workflow';
import { clinicIdOfWorkflowId } from '../domain/workflow-ids';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      getLogAttributes(input, next) {
        const clinicId = clinicIdOfWorkflowId(workflowInfo().workflowId);
        return next(clinicId ? { ...input, clinicId } : input);
      },
    },
  ],
});
