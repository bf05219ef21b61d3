/**
 * A clinic's notification settings: when its monthly payment reminders go out, over which channels,
 * with which template, and how unpaid balances are followed up. Saving them brings the clinic's
 * Temporal Schedule in line (created, moved or paused) in the clinic's time zone.
 */
import { paymentReminderSettingsOf } from '../../domain/payment-reminder-settings';
import { SCHEDULE_IDS } from '../../domain/temporal';
import { type Prisma } from '../../prisma/generated/client';
import { type ApiDeps } from '../deps';
import { type ApiRouter } from '../http/route';
import { clinicIdParams } from '../schemas/common';
import { notificationSettingsBody, notificationSettingsResponse } from '../schemas/payment-reminders';
import { writeAudit } from '../services/audit';
import { saveReminderScheduleOr503 } from '../services/reminder-schedule';

export function notificationSettingsRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const describe = async (clinic: { id: string; timezone: string; settings: unknown }) => {
    const schedule = await deps.temporal.client.schedule
      .getHandle(SCHEDULE_IDS.paymentReminders(clinic.id))
      .describe()
      .catch(() => null);
    return {
      paymentReminders: paymentReminderSettingsOf(clinic.settings),
      schedule: {
        id: SCHEDULE_IDS.paymentReminders(clinic.id),
        timezone: clinic.timezone,
        paused: schedule?.state.paused ?? true,
        nextRunsAt: (schedule?.info.nextActionTimes ?? []).slice(0, 3).map((d) => d.toISOString()),
      },
    };
  };

  return r
    .route({
      method: 'get',
      path: '/',
      summary: "The clinic's notification settings and its payment-reminder Schedule",
      access: 'notification:manage',
      tenant: true,
      params: clinicIdParams,
      responses: { 200: { description: 'Settings', schema: notificationSettingsResponse } },
      handler: async (_input, req, res) => {
        res.json(await describe(await req.tenant!.db.clinic.findUniqueOrThrow({ where: { id: req.tenant!.clinicId } })));
      },
    })
    .route({
      method: 'put',
      path: '/',
      summary: "Replace the clinic's notification settings",
      description: "Creates, moves or pauses the clinic's payment-reminder Schedule (Temporal UI → Schedules, payment-reminders/<clinicId>), in the clinic's time zone.",
      access: 'notification:manage',
      tenant: true,
      params: clinicIdParams,
      body: notificationSettingsBody,
      responses: {
        200: { description: 'Saved', schema: notificationSettingsResponse },
        400: { description: 'Invalid settings' },
        503: { description: 'Temporal did not take the Schedule; nothing was saved' },
      },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        const clinic = await db.$transaction(async (tx) => {
          const before = await tx.clinic.findUniqueOrThrow({ where: { id: clinicId } });
          const settings = { ...(before.settings as Record<string, unknown>), paymentReminders: body.paymentReminders };
          const after = await tx.clinic.update({ where: { id: clinicId }, data: { settings: settings as Prisma.InputJsonValue } });
          await writeAudit(tx, req, { action: 'clinic.notification-settings', entityType: 'Clinic', entityId: clinicId, clinicId, before: { paymentReminders: paymentReminderSettingsOf(before.settings) }, after: { paymentReminders: body.paymentReminders } });
          await saveReminderScheduleOr503(deps, after);
          return after;
        });
        res.json(await describe(clinic));
      },
    });
}
