/** Activity interceptor: every activity log line carries the clinic of the workflow it works for (never its arguments). */
import { type ActivityInterceptorsFactory } from '@temporalio/worker';
import { clinicIdOfWorkflowId } from '../domain/workflow-ids';

export const clinicLogAttributes: ActivityInterceptorsFactory = (ctx) => ({
  outbound: {
    getLogAttributes(input, next) {
      const clinicId = clinicIdOfWorkflowId(ctx.info.workflowExecution?.workflowId ?? '');
      return next(clinicId ? { ...input, clinicId } : input);
    },
  },
});
