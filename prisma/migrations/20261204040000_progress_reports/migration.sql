-- Progress reports (templates per clinic and therapy type, reports per patient and session) and
-- the patient's clinical fields, each sealed at rest by the API (the columns hold ciphertext).

-- CreateEnum
CREATE TYPE "ProgressReportStatus" AS ENUM ('DRAFT', 'SIGNED');

-- AlterTable
ALTER TABLE "Patient" ADD COLUMN "allergies" TEXT,
ADD COLUMN "medications" TEXT,
ADD COLUMN "medicalNotes" TEXT,
ADD COLUMN "address" TEXT,
ADD COLUMN "emergencyContact" TEXT;

-- CreateTable
CREATE TABLE "ProgressReportTemplate" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "therapyTypeId" UUID,
    "name" TEXT NOT NULL,
    "sections" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "ProgressReportTemplate_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ProgressReport" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "appointmentId" UUID,
    "practitionerId" UUID NOT NULL,
    "templateId" UUID NOT NULL,
    "status" "ProgressReportStatus" NOT NULL DEFAULT 'DRAFT',
    "values" JSONB NOT NULL DEFAULT '{}',
    "reportedAt" TIMESTAMPTZ(3) NOT NULL,
    "signedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "ProgressReport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProgressReportTemplate_clinicId_name_key" ON "ProgressReportTemplate"("clinicId", "name");
CREATE INDEX "ProgressReportTemplate_clinicId_therapyTypeId_idx" ON "ProgressReportTemplate"("clinicId", "therapyTypeId");
CREATE INDEX "ProgressReport_clinicId_patientId_reportedAt_idx" ON "ProgressReport"("clinicId", "patientId", "reportedAt");
CREATE INDEX "ProgressReport_clinicId_practitionerId_reportedAt_idx" ON "ProgressReport"("clinicId", "practitionerId", "reportedAt");
CREATE INDEX "ProgressReport_clinicId_appointmentId_idx" ON "ProgressReport"("clinicId", "appointmentId");

-- AddForeignKey
ALTER TABLE "ProgressReportTemplate" ADD CONSTRAINT "ProgressReportTemplate_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ProgressReportTemplate" ADD CONSTRAINT "ProgressReportTemplate_therapyTypeId_fkey" FOREIGN KEY ("therapyTypeId") REFERENCES "TherapyType"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ProgressReport" ADD CONSTRAINT "ProgressReport_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ProgressReport" ADD CONSTRAINT "ProgressReport_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ProgressReport" ADD CONSTRAINT "ProgressReport_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ProgressReport" ADD CONSTRAINT "ProgressReport_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "StaffUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ProgressReport" ADD CONSTRAINT "ProgressReport_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "ProgressReportTemplate"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
