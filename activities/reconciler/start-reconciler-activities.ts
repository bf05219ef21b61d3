/**
 * The start reconciler's activities: start the workflow of every committed appointment or sold
 * package whose start never happened (the API crashed between the commit and the start, or
 * Temporal refused it and nobody asked again), and mark the row. Safe to run any number of times:
 * a workflow that runs is joined, one that has finished is not started again.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { appointmentStart, packageStart, START_ONCE } from '../../domain/temporal';
import { type PrismaClient } from '../../prisma/client';
import { markAppointmentWorkflowStarted, markPackageWorkflowStarted } from '../../prisma/workflow-marks';
import type { appointmentWorkflow } from '../../workflows/appointments/appointment';
import type { packageWorkflow } from '../../workflows/packages/package';
import { startEach } from '../temporal/start-many';

export interface ReconcileInput {
  /** Rows younger than this are left to the request that is still starting their workflow. */
  graceSeconds: number;
  /** Rows handled per run; the next run takes the rest. */
  limit: number;
}

export function createStartReconcilerActivities({ prisma, temporal }: { prisma: PrismaClient; temporal: Client }) {
  return {
    async startMissingAppointmentWorkflows({ graceSeconds, limit }: ReconcileInput): Promise<{ started: number }> {
      // Across clinics by design: the reconciler serves every tenant. Each write names its clinic.
      const rows = await prisma.appointment.findMany({
        where: { workflowStartedAt: null, createdAt: { lt: new Date(Date.now() - graceSeconds * 1000) } },
        select: { id: true, clinicId: true, patientId: true, status: true, startsAt: true },
        orderBy: { createdAt: 'asc' },
        take: limit,
      });
      // Started now or before (running or finished): either way the row has its workflow. A start
      // Temporal refused for another reason leaves the row for the next run.
      const started = await startEach(rows, async (row) => {
        try {
          await temporal.workflow.start<typeof appointmentWorkflow>('appointmentWorkflow', { ...appointmentStart(row.clinicId, row), ...START_ONCE });
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) await markAppointmentWorkflowStarted(prisma, row);
          throw err;
        }
        await markAppointmentWorkflowStarted(prisma, row);
      });
      return { started };
    },

    async startMissingPackageWorkflows({ graceSeconds, limit }: ReconcileInput): Promise<{ started: number }> {
      const rows = await prisma.patientPackage.findMany({
        where: { workflowStartedAt: null, createdAt: { lt: new Date(Date.now() - graceSeconds * 1000) } },
        select: { id: true, clinicId: true, patientId: true },
        orderBy: { createdAt: 'asc' },
        take: limit,
      });
      const started = await startEach(rows, async (row) => {
        try {
          await temporal.workflow.start<typeof packageWorkflow>('packageWorkflow', { ...packageStart(row.clinicId, row), ...START_ONCE });
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) await markPackageWorkflowStarted(prisma, row);
          throw err;
        }
        await markPackageWorkflowStarted(prisma, row);
      });
      return { started };
    },
  };
}
