/**
 * ClinicFlow's business metrics in the worker (prom-client), served on the worker's /metrics
 * beside the Temporal SDK's own. One module, small functions: activities call them where the
 * thing happens, and the names stay in one place for the dashboard and alert rules
 * (ops/grafana, ops/prometheus). Labels are low-cardinality facts: never a clinic, patient or
 * message id.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The worker's business metrics; the worker's /metrics serves it (workers/metrics-server.ts). */
export const businessMetrics = new Registry();

export type DeliveryOutcome = 'delivered' | 'transient_failure' | 'permanent_failure' | 'skipped_circuit_open' | 'suppressed' | 'expired';
export type CircuitStateName = 'closed' | 'half_open' | 'open';

/**
 * One provider entry of a channel's chain, as a low-cardinality label: its source and provider
 * (`clinic/twilio`, `global/smtp`; see providerEntryLabel), never a clinic's entry id.
 */
export interface ProviderEntry {
  channel: string;
  providerEntry: string;
}

/** The label of a provider entry (domain/message-delivery.ts ProviderEntryRef): `<source>/<provider>`. */
export function providerEntryLabel(entry: { source: string; provider: string }): string {
  return `${entry.source}/${entry.provider}`;
}

const deliveries = new Counter({
  name: 'clinicflow_message_deliveries_total',
  help: 'Delivery attempts of messages by channel, provider entry and outcome',
  labelNames: ['channel', 'provider_entry', 'outcome'] as const,
  registers: [businessMetrics],
});

const retries = new Counter({
  name: 'clinicflow_message_delivery_retries_total',
  help: 'Delivery attempts that were retries of an earlier transient failure, by channel and provider entry',
  labelNames: ['channel', 'provider_entry'] as const,
  registers: [businessMetrics],
});

const circuits = new Gauge({
  name: 'clinicflow_provider_circuit_state',
  help: "Provider circuit state last seen by this worker: 0 closed, 1 half open, 2 open",
  labelNames: ['channel', 'provider_entry'] as const,
  registers: [businessMetrics],
});

const reminderLateness = new Histogram({
  name: 'clinicflow_reminder_lateness_seconds',
  help: 'How long after its due time an appointment reminder went out',
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
  registers: [businessMetrics],
});

const paymentRuns = new Counter({
  name: 'clinicflow_payment_reminder_runs_total',
  help: 'Monthly payment-reminder runs by event (opened, finished) and trigger (SCHEDULE, MANUAL)',
  labelNames: ['event', 'trigger'] as const,
  registers: [businessMetrics],
});

const paymentReminders = new Counter({
  name: 'clinicflow_payment_reminders_total',
  help: 'Patients reminded of an outstanding balance by finished payment-reminder runs',
  registers: [businessMetrics],
});

const schedulesOverdue = new Gauge({
  name: 'clinicflow_schedules_overdue',
  help: 'Unpaused Schedules whose next firing is more than 10 minutes in the past, by kind, at the last reconcile',
  labelNames: ['kind'] as const,
  registers: [businessMetrics],
});

const scheduleReconciles = new Counter({
  name: 'clinicflow_schedule_writes_total',
  help: 'Schedules the reconciler looked at, by kind and what it wrote (created, updated, unchanged)',
  labelNames: ['kind', 'write'] as const,
  registers: [businessMetrics],
});

const reconcileSuccess = new Gauge({
  name: 'clinicflow_schedule_reconcile_last_success_timestamp_seconds',
  help: 'When this worker last reconciled every Schedule without an error',
  registers: [businessMetrics],
});

const CIRCUIT_VALUE: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };

/** Every attempt at one provider entry, once its outcome is known. */
export function recordDelivery({ channel, providerEntry, outcome }: ProviderEntry & { outcome: DeliveryOutcome }): void {
  deliveries.inc({ channel, provider_entry: providerEntry, outcome });
}

/** An attempt that repeats an earlier transient failure of the same entry (Temporal's retry or the durable wait). */
export function recordDeliveryRetry({ channel, providerEntry }: ProviderEntry): void {
  retries.inc({ channel, provider_entry: providerEntry });
}

/** The circuit's state whenever a worker reads or changes it. */
export function setCircuitState({ channel, providerEntry, state }: ProviderEntry & { state: CircuitStateName }): void {
  circuits.set({ channel, provider_entry: providerEntry }, CIRCUIT_VALUE[state]);
}

/** A reminder going out `ms` after it was due (negative values, a reminder sent early, count as on time). */
export function observeReminderLateness(ms: number): void {
  reminderLateness.observe(Math.max(0, ms) / 1000);
}

export function recordPaymentReminderRun(event: 'opened' | 'finished', trigger: string, reminders = 0): void {
  paymentRuns.inc({ event, trigger });
  if (event === 'finished') paymentReminders.inc(reminders);
}

export function recordScheduleWrites(kind: string, counts: Record<'created' | 'updated' | 'unchanged', number>): void {
  for (const [write, n] of Object.entries(counts)) scheduleReconciles.inc({ kind, write }, n);
}

export function setSchedulesOverdue(kind: string, count: number): void {
  schedulesOverdue.set({ kind }, count);
}

export function markScheduleReconcileSucceeded(at = new Date()): void {
  reconcileSuccess.set(at.getTime() / 1000);
}

/**
 * Series that alerts compare against zero start at zero, so a fresh worker exports "nothing
 * overdue yet" rather than nothing at all.
 */
export function initialiseBusinessMetrics(): void {
  for (const kind of ['payment-reminders', 'platform']) setSchedulesOverdue(kind, 0);
  paymentRuns.inc({ event: 'finished', trigger: 'SCHEDULE' }, 0);
}
