-- Patient payments: money received or refunded per session or on account, and prepaid credit.

-- CreateEnum
CREATE TYPE "PaymentMethod" AS ENUM ('CASH', 'CARD', 'UPI', 'BANK_TRANSFER', 'CREDIT', 'STRIPE');

-- AlterTable
ALTER TABLE "Clinic" ADD COLUMN "currency" TEXT NOT NULL DEFAULT 'USD';
ALTER TABLE "Appointment" ADD COLUMN "discount" DECIMAL(10,2) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Payment" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "appointmentId" UUID,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "method" "PaymentMethod" NOT NULL,
    "note" TEXT,
    "refundReason" TEXT,
    "idempotencyKey" TEXT NOT NULL,
    "recordedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Payment_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Payment_amount_not_zero" CHECK ("amount" <> 0),
    CONSTRAINT "Payment_refund_has_reason" CHECK ("amount" > 0 OR "refundReason" IS NOT NULL)
);

CREATE TABLE "CreditEntry" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "method" "PaymentMethod",
    "paymentId" UUID,
    "note" TEXT,
    "idempotencyKey" TEXT,
    "recordedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "CreditEntry_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "CreditEntry_amount_not_zero" CHECK ("amount" <> 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "Payment_clinicId_idempotencyKey_key" ON "Payment"("clinicId", "idempotencyKey");
CREATE INDEX "Payment_clinicId_patientId_createdAt_idx" ON "Payment"("clinicId", "patientId", "createdAt");
CREATE INDEX "Payment_clinicId_appointmentId_idx" ON "Payment"("clinicId", "appointmentId");
CREATE UNIQUE INDEX "CreditEntry_paymentId_key" ON "CreditEntry"("paymentId");
CREATE UNIQUE INDEX "CreditEntry_clinicId_idempotencyKey_key" ON "CreditEntry"("clinicId", "idempotencyKey");
CREATE INDEX "CreditEntry_clinicId_patientId_createdAt_idx" ON "CreditEntry"("clinicId", "patientId", "createdAt");

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CreditEntry" ADD CONSTRAINT "CreditEntry_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "CreditEntry" ADD CONSTRAINT "CreditEntry_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "CreditEntry" ADD CONSTRAINT "CreditEntry_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "Payment"("id") ON DELETE SET NULL ON UPDATE CASCADE;
