-- Appointments: therapy types and prices, practitioners' working hours, appointments and
-- therapists' reschedule requests.

-- btree_gist lets one exclusion constraint mix equality on uuids with overlap of time ranges.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- CreateEnum
CREATE TYPE "AppointmentType" AS ENUM ('CONSULTATION', 'TREATMENT', 'FOLLOW_UP', 'EMERGENCY');
CREATE TYPE "BookingMode" AS ENUM ('SPECIFIC_TIME', 'TIME_PERIOD');
CREATE TYPE "AppointmentStatus" AS ENUM ('SCHEDULED', 'CONFIRMED', 'CHECKED_IN', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'NO_SHOW');
CREATE TYPE "RescheduleRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED');

-- CreateTable
CREATE TABLE "TherapyType" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "defaultDurationMinutes" INTEGER NOT NULL,
    "defaultPrice" DECIMAL(10,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "TherapyType_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PractitionerPricing" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "practitionerId" UUID NOT NULL,
    "therapyTypeId" UUID NOT NULL,
    "durationMinutes" INTEGER NOT NULL,
    "price" DECIMAL(10,2) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "PractitionerPricing_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PractitionerSchedule" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "practitionerId" UUID NOT NULL,
    "timezone" TEXT,
    "weekly" JSONB NOT NULL,
    "breaks" JSONB NOT NULL DEFAULT '[]',
    "exceptions" JSONB NOT NULL DEFAULT '[]',
    "timeOff" JSONB NOT NULL DEFAULT '[]',
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "PractitionerSchedule_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Appointment" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "reservationId" TEXT NOT NULL,
    "patientId" UUID NOT NULL,
    "practitionerId" UUID NOT NULL,
    "therapyTypeId" UUID,
    "type" "AppointmentType" NOT NULL,
    "bookingMode" "BookingMode" NOT NULL,
    "status" "AppointmentStatus" NOT NULL DEFAULT 'SCHEDULED',
    "startsAt" TIMESTAMPTZ(3) NOT NULL,
    "endsAt" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "price" DECIMAL(10,2),
    "currency" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "confirmedAt" TIMESTAMPTZ(3),
    "checkedInAt" TIMESTAMPTZ(3),
    "startedAt" TIMESTAMPTZ(3),
    "completedAt" TIMESTAMPTZ(3),
    "cancelledAt" TIMESTAMPTZ(3),
    "cancelReason" TEXT,
    "noShowAt" TIMESTAMPTZ(3),
    "followUpRequired" BOOLEAN NOT NULL DEFAULT false,
    "followUpDate" DATE,
    "notes" TEXT,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Appointment_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Appointment_time_order" CHECK ("endsAt" > "startsAt")
);

CREATE TABLE "RescheduleRequest" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "appointmentId" UUID NOT NULL,
    "therapistId" UUID NOT NULL,
    "requestedStartsAt" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "status" "RescheduleRequestStatus" NOT NULL DEFAULT 'PENDING',
    "decidedById" UUID,
    "decisionNotes" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "workflowId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "RescheduleRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "TherapyType_clinicId_name_key" ON "TherapyType"("clinicId", "name");
CREATE UNIQUE INDEX "PractitionerPricing_clinicId_practitionerId_therapyTypeId_key" ON "PractitionerPricing"("clinicId", "practitionerId", "therapyTypeId");
CREATE UNIQUE INDEX "PractitionerSchedule_clinicId_practitionerId_key" ON "PractitionerSchedule"("clinicId", "practitionerId");
CREATE UNIQUE INDEX "Appointment_reservationId_key" ON "Appointment"("reservationId");
CREATE UNIQUE INDEX "Appointment_clinicId_idempotencyKey_key" ON "Appointment"("clinicId", "idempotencyKey");
CREATE INDEX "Appointment_clinicId_startsAt_idx" ON "Appointment"("clinicId", "startsAt");
CREATE INDEX "Appointment_clinicId_practitionerId_startsAt_idx" ON "Appointment"("clinicId", "practitionerId", "startsAt");
CREATE INDEX "Appointment_clinicId_patientId_startsAt_idx" ON "Appointment"("clinicId", "patientId", "startsAt");
CREATE INDEX "Appointment_clinicId_status_idx" ON "Appointment"("clinicId", "status");
CREATE INDEX "RescheduleRequest_clinicId_status_idx" ON "RescheduleRequest"("clinicId", "status");
CREATE INDEX "RescheduleRequest_clinicId_therapistId_idx" ON "RescheduleRequest"("clinicId", "therapistId");
CREATE INDEX "RescheduleRequest_clinicId_appointmentId_idx" ON "RescheduleRequest"("clinicId", "appointmentId");

-- No double booking, decided by the database whatever the callers race: a practitioner, and a
-- patient, can be in one appointment at a time. Cancelled appointments free their time.
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_practitioner_no_overlap"
    EXCLUDE USING gist ("clinicId" WITH =, "practitionerId" WITH =, tstzrange("startsAt", "endsAt", '[)') WITH &&)
    WHERE ("status" <> 'CANCELLED');
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_patient_no_overlap"
    EXCLUDE USING gist ("clinicId" WITH =, "patientId" WITH =, tstzrange("startsAt", "endsAt", '[)') WITH &&)
    WHERE ("status" <> 'CANCELLED');

-- One open request per appointment.
CREATE UNIQUE INDEX "RescheduleRequest_one_pending" ON "RescheduleRequest"("appointmentId") WHERE "status" = 'PENDING';

-- AddForeignKey
ALTER TABLE "TherapyType" ADD CONSTRAINT "TherapyType_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PractitionerPricing" ADD CONSTRAINT "PractitionerPricing_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PractitionerPricing" ADD CONSTRAINT "PractitionerPricing_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "StaffUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PractitionerPricing" ADD CONSTRAINT "PractitionerPricing_therapyTypeId_fkey" FOREIGN KEY ("therapyTypeId") REFERENCES "TherapyType"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PractitionerSchedule" ADD CONSTRAINT "PractitionerSchedule_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "PractitionerSchedule" ADD CONSTRAINT "PractitionerSchedule_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "StaffUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_practitionerId_fkey" FOREIGN KEY ("practitionerId") REFERENCES "StaffUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Appointment" ADD CONSTRAINT "Appointment_therapyTypeId_fkey" FOREIGN KEY ("therapyTypeId") REFERENCES "TherapyType"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "RescheduleRequest" ADD CONSTRAINT "RescheduleRequest_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "RescheduleRequest" ADD CONSTRAINT "RescheduleRequest_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "RescheduleRequest" ADD CONSTRAINT "RescheduleRequest_therapistId_fkey" FOREIGN KEY ("therapistId") REFERENCES "StaffUser"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
