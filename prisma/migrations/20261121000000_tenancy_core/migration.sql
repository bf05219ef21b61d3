-- Tenancy core: clinics, staff, patients, licensing, audit, refresh tokens.

-- CreateEnum
CREATE TYPE "ClinicType" AS ENUM ('CLINIC', 'THERAPY_CENTER');
CREATE TYPE "SubscriptionStatus" AS ENUM ('TRIAL', 'ACTIVE', 'PAST_DUE', 'SUSPENDED', 'CANCELLED');
CREATE TYPE "StaffRole" AS ENUM ('SUPER_ADMIN', 'OPS', 'CLINIC_ADMIN', 'MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE', 'RECEPTIONIST', 'ACCOUNTANT');
CREATE TYPE "LicenseMetric" AS ENUM ('STAFF', 'PATIENTS', 'APPOINTMENTS');
CREATE TYPE "LicenseAlertLevel" AS ENUM ('WARNING', 'EXCEEDED');
CREATE TYPE "LicenseChangeKind" AS ENUM ('UPGRADE', 'DOWNGRADE');
CREATE TYPE "LicenseChangeStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED');

-- CreateTable
CREATE TABLE "LicenseTier" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "rank" INTEGER NOT NULL,
    "maxStaff" INTEGER NOT NULL,
    "maxPatients" INTEGER NOT NULL,
    "maxAppointmentsPerMonth" INTEGER NOT NULL,
    "monthlyPrice" DECIMAL(10,2) NOT NULL,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    CONSTRAINT "LicenseTier_pkey" PRIMARY KEY ("code")
);

CREATE TABLE "Clinic" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "ClinicType" NOT NULL DEFAULT 'CLINIC',
    "timezone" TEXT NOT NULL,
    "licenseTierCode" TEXT NOT NULL,
    "subscriptionStatus" "SubscriptionStatus" NOT NULL DEFAULT 'ACTIVE',
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Clinic_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "StaffUser" (
    "id" UUID NOT NULL,
    "clinicId" UUID,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT NOT NULL,
    "phone" TEXT,
    "role" "StaffRole" NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "lastLoginAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "StaffUser_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Patient" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "firstName" TEXT NOT NULL,
    "lastName" TEXT NOT NULL,
    "dateOfBirth" DATE,
    "gender" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "preferredLanguage" TEXT NOT NULL DEFAULT 'en',
    "guardianName" TEXT,
    "guardianRelationship" TEXT,
    "guardianPhone" TEXT,
    "guardianEmail" TEXT,
    "barcode" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Patient_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "LicenseUsage" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "date" DATE NOT NULL,
    "tierCode" TEXT NOT NULL,
    "staffCount" INTEGER NOT NULL,
    "patientCount" INTEGER NOT NULL,
    "appointmentCount" INTEGER NOT NULL,
    "maxStaff" INTEGER NOT NULL,
    "maxPatients" INTEGER NOT NULL,
    "maxAppointmentsPerMonth" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LicenseUsage_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "LicenseAlert" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "metric" "LicenseMetric" NOT NULL,
    "level" "LicenseAlertLevel" NOT NULL,
    "usage" INTEGER NOT NULL,
    "limit" INTEGER NOT NULL,
    "percent" INTEGER NOT NULL,
    "checkDate" DATE NOT NULL,
    "workflowId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clearedAt" TIMESTAMPTZ(3),
    CONSTRAINT "LicenseAlert_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "LicenseChangeRequest" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "kind" "LicenseChangeKind" NOT NULL,
    "fromTierCode" TEXT NOT NULL,
    "toTierCode" TEXT NOT NULL,
    "reason" TEXT,
    "status" "LicenseChangeStatus" NOT NULL DEFAULT 'PENDING',
    "requestedById" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMPTZ(3),
    CONSTRAINT "LicenseChangeRequest_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AuditLog" (
    "id" UUID NOT NULL,
    "clinicId" UUID,
    "actorId" UUID,
    "actorRole" "StaffRole",
    "action" TEXT NOT NULL,
    "entityType" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "changes" JSONB,
    "requestId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "RefreshToken" (
    "id" UUID NOT NULL,
    "clinicId" UUID,
    "userId" UUID NOT NULL,
    "familyId" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RefreshToken_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "LicenseTier_rank_key" ON "LicenseTier"("rank");
CREATE INDEX "Clinic_licenseTierCode_idx" ON "Clinic"("licenseTierCode");
CREATE INDEX "Clinic_subscriptionStatus_idx" ON "Clinic"("subscriptionStatus");
CREATE UNIQUE INDEX "StaffUser_email_key" ON "StaffUser"("email");
CREATE INDEX "StaffUser_clinicId_active_idx" ON "StaffUser"("clinicId", "active");
CREATE INDEX "StaffUser_clinicId_role_idx" ON "StaffUser"("clinicId", "role");
CREATE UNIQUE INDEX "Patient_clinicId_barcode_key" ON "Patient"("clinicId", "barcode");
CREATE INDEX "Patient_clinicId_active_idx" ON "Patient"("clinicId", "active");
CREATE INDEX "Patient_clinicId_lastName_firstName_idx" ON "Patient"("clinicId", "lastName", "firstName");
CREATE UNIQUE INDEX "LicenseUsage_clinicId_date_key" ON "LicenseUsage"("clinicId", "date");
CREATE UNIQUE INDEX "LicenseAlert_clinicId_metric_level_checkDate_key" ON "LicenseAlert"("clinicId", "metric", "level", "checkDate");
CREATE INDEX "LicenseAlert_clinicId_createdAt_idx" ON "LicenseAlert"("clinicId", "createdAt");
CREATE INDEX "LicenseChangeRequest_clinicId_createdAt_idx" ON "LicenseChangeRequest"("clinicId", "createdAt");
CREATE INDEX "AuditLog_clinicId_createdAt_idx" ON "AuditLog"("clinicId", "createdAt");
CREATE INDEX "AuditLog_clinicId_entityType_entityId_idx" ON "AuditLog"("clinicId", "entityType", "entityId");
CREATE UNIQUE INDEX "RefreshToken_tokenHash_key" ON "RefreshToken"("tokenHash");
CREATE INDEX "RefreshToken_clinicId_userId_idx" ON "RefreshToken"("clinicId", "userId");
CREATE INDEX "RefreshToken_familyId_idx" ON "RefreshToken"("familyId");

-- AddForeignKey
ALTER TABLE "Clinic" ADD CONSTRAINT "Clinic_licenseTierCode_fkey" FOREIGN KEY ("licenseTierCode") REFERENCES "LicenseTier"("code") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "StaffUser" ADD CONSTRAINT "StaffUser_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Patient" ADD CONSTRAINT "Patient_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "LicenseUsage" ADD CONSTRAINT "LicenseUsage_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "LicenseAlert" ADD CONSTRAINT "LicenseAlert_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "LicenseChangeRequest" ADD CONSTRAINT "LicenseChangeRequest_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "AuditLog" ADD CONSTRAINT "AuditLog_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "RefreshToken" ADD CONSTRAINT "RefreshToken_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "RefreshToken" ADD CONSTRAINT "RefreshToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "StaffUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Licence tiers are data: limits on active staff, active patients and appointments per month.
INSERT INTO "LicenseTier" ("code", "name", "rank", "maxStaff", "maxPatients", "maxAppointmentsPerMonth", "monthlyPrice", "currency") VALUES
    ('S',  'Small',       1,   5,   250,   600,  49.00, 'USD'),
    ('M',  'Medium',      2,  15,  1000,  2500, 149.00, 'USD'),
    ('L',  'Large',       3,  50,  5000, 10000, 399.00, 'USD'),
    ('XL', 'Extra large', 4, 200, 25000, 50000, 999.00, 'USD');
