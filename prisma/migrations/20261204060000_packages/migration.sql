-- Packages and subscriptions: a clinic's plans, the packages patients bought, what they are charged
-- for them, and each session a booking took from one.

CREATE TYPE "PackagePlanKind" AS ENUM ('PACKAGE', 'SUBSCRIPTION');
CREATE TYPE "PatientPackageStatus" AS ENUM ('PENDING_PAYMENT', 'ACTIVE', 'PAUSED', 'PAST_DUE', 'EXPIRED', 'CANCELLED');
CREATE TYPE "PackageChargeKind" AS ENUM ('PURCHASE', 'RENEWAL');
CREATE TYPE "PackageChargeStatus" AS ENUM ('DUE', 'PAID', 'VOID');
CREATE TYPE "PackageSessionUseStatus" AS ENUM ('HELD', 'RETURNED', 'USED');

CREATE TABLE "PackagePlan" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "PackagePlanKind" NOT NULL,
    "sessions" INTEGER NOT NULL,
    "validityDays" INTEGER,
    "price" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "therapyTypeIds" UUID[] NOT NULL,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "PackagePlan_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "PackagePlan_sessions_positive" CHECK ("sessions" > 0),
    CONSTRAINT "PackagePlan_price_not_negative" CHECK ("price" >= 0),
    CONSTRAINT "PackagePlan_validity_fits_kind" CHECK (("kind" = 'PACKAGE') = ("validityDays" IS NOT NULL))
);

CREATE TABLE "PatientPackage" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "planId" UUID NOT NULL,
    "kind" "PackagePlanKind" NOT NULL,
    "name" TEXT NOT NULL,
    "therapyTypeIds" UUID[] NOT NULL,
    "sessionsPerPeriod" INTEGER NOT NULL,
    "sessionsRemaining" INTEGER NOT NULL,
    "period" INTEGER NOT NULL DEFAULT 1,
    "price" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "status" "PatientPackageStatus" NOT NULL,
    "periodStart" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),
    "pausedAt" TIMESTAMPTZ(3),
    "cancelAtPeriodEnd" BOOLEAN NOT NULL DEFAULT false,
    "expiredSessions" INTEGER NOT NULL DEFAULT 0,
    "expiryReminderSentAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "idempotencyKey" TEXT NOT NULL,
    "idempotencyFingerprint" TEXT,
    "workflowId" TEXT NOT NULL,
    "workflowStartedAt" TIMESTAMPTZ(3),
    "purchasedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "PatientPackage_pkey" PRIMARY KEY ("id"),
    -- The quota is exact: a booking's conditional decrement can never take it below zero.
    CONSTRAINT "PatientPackage_remaining_in_range" CHECK ("sessionsRemaining" >= 0 AND "sessionsRemaining" <= "sessionsPerPeriod")
);

CREATE TABLE "PackageCharge" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientPackageId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "kind" "PackageChargeKind" NOT NULL,
    "period" INTEGER NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "status" "PackageChargeStatus" NOT NULL DEFAULT 'DUE',
    "paidAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PackageCharge_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PackageSessionUse" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientPackageId" UUID NOT NULL,
    "appointmentId" UUID NOT NULL,
    "period" INTEGER NOT NULL,
    "status" "PackageSessionUseStatus" NOT NULL DEFAULT 'HELD',
    "settledAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "PackageSessionUse_pkey" PRIMARY KEY ("id")
);

ALTER TABLE "Appointment" ADD COLUMN "patientPackageId" UUID;
ALTER TABLE "Payment" ADD COLUMN "packageChargeId" UUID;

CREATE UNIQUE INDEX "PackagePlan_clinicId_name_key" ON "PackagePlan"("clinicId", "name");
CREATE INDEX "PackagePlan_clinicId_archivedAt_idx" ON "PackagePlan"("clinicId", "archivedAt");
CREATE UNIQUE INDEX "PatientPackage_clinicId_idempotencyKey_key" ON "PatientPackage"("clinicId", "idempotencyKey");
CREATE INDEX "PatientPackage_clinicId_patientId_status_idx" ON "PatientPackage"("clinicId", "patientId", "status");
CREATE INDEX "PatientPackage_clinicId_planId_idx" ON "PatientPackage"("clinicId", "planId");
CREATE UNIQUE INDEX "PackageCharge_patientPackageId_period_key" ON "PackageCharge"("patientPackageId", "period");
CREATE INDEX "PackageCharge_clinicId_status_idx" ON "PackageCharge"("clinicId", "status");
CREATE INDEX "PackageCharge_clinicId_patientId_idx" ON "PackageCharge"("clinicId", "patientId");
CREATE UNIQUE INDEX "PackageSessionUse_appointmentId_key" ON "PackageSessionUse"("appointmentId");
CREATE INDEX "PackageSessionUse_clinicId_patientPackageId_idx" ON "PackageSessionUse"("clinicId", "patientPackageId");
CREATE INDEX "Payment_clinicId_packageChargeId_idx" ON "Payment"("clinicId", "packageChargeId");

ALTER TABLE "PackagePlan" ADD CONSTRAINT "PackagePlan_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PatientPackage" ADD CONSTRAINT "PatientPackage_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PatientPackage" ADD CONSTRAINT "PatientPackage_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PatientPackage" ADD CONSTRAINT "PatientPackage_planId_fkey" FOREIGN KEY ("planId") REFERENCES "PackagePlan"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PackageCharge" ADD CONSTRAINT "PackageCharge_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PackageCharge" ADD CONSTRAINT "PackageCharge_patientPackageId_fkey" FOREIGN KEY ("patientPackageId") REFERENCES "PatientPackage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PackageCharge" ADD CONSTRAINT "PackageCharge_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PackageSessionUse" ADD CONSTRAINT "PackageSessionUse_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PackageSessionUse" ADD CONSTRAINT "PackageSessionUse_patientPackageId_fkey" FOREIGN KEY ("patientPackageId") REFERENCES "PatientPackage"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PackageSessionUse" ADD CONSTRAINT "PackageSessionUse_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_patientPackageId_fkey" FOREIGN KEY ("patientPackageId") REFERENCES "PatientPackage"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_packageChargeId_fkey" FOREIGN KEY ("packageChargeId") REFERENCES "PackageCharge"("id") ON DELETE SET NULL ON UPDATE CASCADE;
