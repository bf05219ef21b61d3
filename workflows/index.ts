// Every workflow the worker runs. The worker bundles this file for Temporal's deterministic sandbox.
export { licensingCheckWorkflow } from './licensing/licensing-check';
export { licensingSweepWorkflow } from './licensing/licensing-sweep';
export { messageDeliveryWorkflow } from './messaging/message-delivery';
export { messageBatchWorkflow } from './messaging/message-batch';
export { channelTestWorkflow } from './messaging/channel-test';
export { messagingMonitorWorkflow } from './messaging/messaging-monitor';
export { appointmentWorkflow } from './appointments/appointment';
export { rescheduleRequestWorkflow } from './appointments/reschedule-request';
export { paymentReminderRunWorkflow } from './payments/payment-reminder-run';
export { paymentBalanceWorkflow } from './payments/payment-balance';
export { scheduledPaymentRemindersWorkflow } from './payments/scheduled-payment-reminders';
export { startReconcilerWorkflow } from './reconciler/start-reconciler';
export { reorderRequestWorkflow } from './inventory/reorder-request';
export { packageWorkflow } from './packages/package';
export { documentationDeadlineWorkflow } from './documentation/documentation-deadline';
export { monthlyOwnerReportWorkflow } from './reports/monthly-owner-report';
