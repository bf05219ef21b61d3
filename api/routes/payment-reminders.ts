/**
 * A clinic's monthly payment-reminder runs: send this month's reminders now, and the history of
 * runs with how their reminders went. One run per clinic and month (payment-reminders/<clinicId>/<yyyy-mm>),
 * whether the Schedule or an admin started it.
 */
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { reminderMonth } from '../../domain/payment-reminders';
import { paymentReminderRunStart, workflowIds } from '../../domain/temporal';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { type ApiRouter } from '../http/route';
import { clinicIdParams } from '../schemas/common';
import { reminderRunResponse } from '../schemas/payment-reminders';
import { z } from '../openapi/zod';
import { writeAudit } from '../services/audit';
import { startWorkflow } from '../services/start-workflow';

interface RunRow {
  id: string;
  month: string;
  workflowId: string;
  trigger: 'SCHEDULE' | 'MANUAL';
  startedAt: Date;
  finishedAt: Date | null;
  found: number;
  reminded: number;
  suppressed: number;
  failed: number;
  pending: number;
  settled: number;
}

const presentRun = (r: RunRow) => ({
  id: r.id,
  month: r.month,
  workflowId: r.workflowId,
  trigger: r.trigger,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
  counts: { found: r.found, reminded: r.reminded, suppressed: r.suppressed, failed: r.failed, pending: r.pending, settled: r.settled },
});

export function paymentReminderRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/run',
      summary: "Send this month's payment reminders now",
      description:
        "Starts the clinic's run for the current month (clinic time) at once instead of on the Schedule's day. A month has one run: if this month's has already started, 409 ALREADY_RUN names it, and the Schedule later leaves it be.",
      access: 'payment-reminder:run',
      tenant: true,
      params: clinicIdParams,
      responses: {
        202: { description: 'Started', schema: z.object({ id: z.uuid(), month: z.string(), workflowId: z.string() }) },
        409: { description: 'ALREADY_RUN' },
      },
      handler: async (_input, req, res) => {
        const { db, clinicId } = req.tenant!;
        const clinic = await db.clinic.findUniqueOrThrow({ where: { id: clinicId }, select: { timezone: true } });
        const month = reminderMonth(deps.now?.() ?? new Date(), clinic.timezone);
        const workflowId = workflowIds.paymentReminderRun(clinicId, month);
        const run = await db.$transaction(async (tx) => {
          // ON CONFLICT DO NOTHING, as the Schedule's starter opens its run: whichever comes first owns the month.
          const { count } = await tx.paymentReminderRun.createMany({
            data: [{ clinicId, month, workflowId, trigger: 'MANUAL', triggeredById: req.auth?.userId ?? null }],
            skipDuplicates: true,
          });
          if (count === 0) throw ApiError.conflict('ALREADY_RUN', `This month's payment reminders (${month}) have already been started: ${workflowId}`);
          const row = await tx.paymentReminderRun.findUniqueOrThrow({ where: { clinicId_month: { clinicId, month } }, select: { id: true } });
          await writeAudit(tx, req, { action: 'payment-reminders.run', entityType: 'PaymentReminderRun', entityId: row.id, clinicId, after: { month, workflowId } });
          await startWorkflow(
            deps,
            'paymentReminderRunWorkflow',
            { ...paymentReminderRunStart(clinicId, month), workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE },
            'The reminders could not be started right now; try again later',
          );
          return row;
        });
        res.status(202).json({ id: run.id, month, workflowId });
      },
    })
    .route({
      method: 'get',
      path: '/runs',
      summary: "The clinic's payment-reminder runs, newest first, with how their reminders went",
      description: 'Counts come from the reminders and their delivery log, so they move while deliveries finish: found (patients with dues), reminded (a provider accepted the reminder), suppressed, failed, pending, settled (paid since).',
      access: 'payment:read',
      tenant: true,
      params: clinicIdParams,
      responses: { 200: { description: 'Runs', schema: z.array(reminderRunResponse) } },
      handler: async (_input, req, res) => {
        const { db, clinicId } = req.tenant!;
        const rows = await db.$queryRaw<RunRow[]>`
          SELECT r.id::text, r.month, r."workflowId", r.trigger::text AS trigger, r."startedAt", r."finishedAt",
                 count(pr.id)::int AS found,
                 (count(*) FILTER (WHERE m.status IN ('DELIVERED', 'READ')))::int AS reminded,
                 (count(*) FILTER (WHERE m.status = 'SUPPRESSED'))::int AS suppressed,
                 (count(*) FILTER (WHERE m.status IN ('FAILED', 'BOUNCED')))::int AS failed,
                 (count(*) FILTER (WHERE m.status IN ('PENDING', 'SENDING') OR (pr.id IS NOT NULL AND m.id IS NULL AND pr.status = 'OPEN')))::int AS pending,
                 (count(*) FILTER (WHERE pr.status = 'SETTLED'))::int AS settled
            FROM "PaymentReminderRun" r
            LEFT JOIN "PaymentReminder" pr ON pr."runId" = r.id
            LEFT JOIN "Message" m ON m.id = pr."messageId"
           WHERE r."clinicId" = ${clinicId}::uuid
           GROUP BY r.id ORDER BY r."startedAt" DESC LIMIT 60`;
        res.json(rows.map(presentRun));
      },
    });
}
