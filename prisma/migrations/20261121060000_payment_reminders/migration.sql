-- Monthly payment-reminder runs and the chase of each outstanding balance they find.

-- CreateEnum
CREATE TYPE "PaymentReminderTrigger" AS ENUM ('SCHEDULE', 'MANUAL');
CREATE TYPE "PaymentBalanceStatus" AS ENUM ('OPEN', 'SETTLED', 'FINAL_NOTICE_SENT');

-- CreateTable
CREATE TABLE "PaymentReminderRun" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "month" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "trigger" "PaymentReminderTrigger" NOT NULL,
    "triggeredById" UUID,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),
    CONSTRAINT "PaymentReminderRun_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PaymentReminder" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "runId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "status" "PaymentBalanceStatus" NOT NULL DEFAULT 'OPEN',
    "messageId" UUID,
    "followUpsSent" INTEGER NOT NULL DEFAULT 0,
    "settledAt" TIMESTAMPTZ(3),
    "finalNoticeAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PaymentReminder_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "PaymentReminderRun_clinicId_month_key" ON "PaymentReminderRun"("clinicId", "month");
CREATE INDEX "PaymentReminderRun_clinicId_startedAt_idx" ON "PaymentReminderRun"("clinicId", "startedAt");
CREATE UNIQUE INDEX "PaymentReminder_messageId_key" ON "PaymentReminder"("messageId");
CREATE UNIQUE INDEX "PaymentReminder_runId_patientId_key" ON "PaymentReminder"("runId", "patientId");
CREATE INDEX "PaymentReminder_clinicId_patientId_status_idx" ON "PaymentReminder"("clinicId", "patientId", "status");

-- AddForeignKey
ALTER TABLE "PaymentReminderRun" ADD CONSTRAINT "PaymentReminderRun_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PaymentReminder" ADD CONSTRAINT "PaymentReminder_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PaymentReminder" ADD CONSTRAINT "PaymentReminder_runId_fkey" FOREIGN KEY ("runId") REFERENCES "PaymentReminderRun"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PaymentReminder" ADD CONSTRAINT "PaymentReminder_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
