-- Clinics pay for their licence tier through a Stripe subscription.

-- AlterTable
ALTER TABLE "Clinic" ADD COLUMN "stripeCustomerId" TEXT;
ALTER TABLE "Clinic" ADD COLUMN "stripeSubscriptionId" TEXT;
ALTER TABLE "Clinic" ADD COLUMN "subscriptionEventAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "Clinic_stripeCustomerId_key" ON "Clinic"("stripeCustomerId");
CREATE UNIQUE INDEX "Clinic_stripeSubscriptionId_key" ON "Clinic"("stripeSubscriptionId");
