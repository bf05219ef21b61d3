/**
 * A committed row whose workflow runs is marked (workflowStartedAt), so the start reconciler
 * leaves it alone. Whoever started the workflow marks it: the API (the booking start queue, the
 * package sale) or the reconciler. A row marked already keeps its first mark.
 */
import { type PrismaClient } from './client';

type Row = { id: string; clinicId: string };

export function markAppointmentWorkflowStarted(prisma: Pick<PrismaClient, 'appointment'>, row: Row, at = new Date()) {
  return prisma.appointment.updateMany({ where: { id: row.id, clinicId: row.clinicId, workflowStartedAt: null }, data: { workflowStartedAt: at } });
}

export function markPackageWorkflowStarted(prisma: Pick<PrismaClient, 'patientPackage'>, row: Row, at = new Date()) {
  return prisma.patientPackage.updateMany({ where: { id: row.id, clinicId: row.clinicId, workflowStartedAt: null }, data: { workflowStartedAt: at } });
}
