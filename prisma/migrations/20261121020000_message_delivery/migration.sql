-- Message delivery: messages and their attempts (the delivery log), suppressions, device tokens,
-- per-provider circuit breakers and rate-limit windows.

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('PENDING', 'SENDING', 'DELIVERED', 'FAILED', 'SUPPRESSED', 'READ', 'BOUNCED');
CREATE TYPE "AttemptOutcome" AS ENUM ('ACCEPTED', 'FAILED');
CREATE TYPE "CircuitState" AS ENUM ('CLOSED', 'OPEN', 'HALF_OPEN');

-- CreateTable
CREATE TABLE "Message" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientId" UUID,
    "category" TEXT NOT NULL,
    "channels" "MessageChannel"[] NOT NULL,
    "recipient" JSONB NOT NULL DEFAULT '{}',
    "templateKey" TEXT,
    "variables" JSONB,
    "subject" TEXT,
    "body" TEXT,
    "language" TEXT NOT NULL DEFAULT 'en',
    "metadata" JSONB,
    "status" "MessageStatus" NOT NULL DEFAULT 'PENDING',
    "channel" "MessageChannel",
    "provider" TEXT,
    "providerMessageId" TEXT,
    "failures" JSONB NOT NULL DEFAULT '[]',
    "workflowId" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "deliveredAt" TIMESTAMPTZ(3),
    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "MessageAttempt" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "messageId" UUID NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "provider" TEXT NOT NULL,
    "attemptKey" TEXT NOT NULL,
    "attemptNumber" INTEGER NOT NULL,
    "outcome" "AttemptOutcome" NOT NULL,
    "errorKind" TEXT,
    "errorCode" TEXT,
    "providerMessageId" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MessageAttempt_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Suppression" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "address" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Suppression_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DeviceToken" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "token" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeviceToken_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ProviderCircuit" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "provider" TEXT NOT NULL,
    "state" "CircuitState" NOT NULL DEFAULT 'CLOSED',
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "openedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "ProviderCircuit_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "RateLimitWindow" (
    "clinicId" UUID NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "seconds" INTEGER NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "RateLimitWindow_pkey" PRIMARY KEY ("clinicId","channel","seconds","windowStart")
);

-- CreateIndex
CREATE INDEX "Message_clinicId_createdAt_idx" ON "Message"("clinicId", "createdAt");
CREATE INDEX "Message_clinicId_patientId_createdAt_idx" ON "Message"("clinicId", "patientId", "createdAt");
CREATE INDEX "Message_clinicId_status_idx" ON "Message"("clinicId", "status");
CREATE INDEX "Message_providerMessageId_idx" ON "Message"("providerMessageId");
CREATE UNIQUE INDEX "MessageAttempt_attemptKey_attemptNumber_key" ON "MessageAttempt"("attemptKey", "attemptNumber");
CREATE INDEX "MessageAttempt_clinicId_messageId_idx" ON "MessageAttempt"("clinicId", "messageId");
CREATE INDEX "MessageAttempt_clinicId_provider_finishedAt_idx" ON "MessageAttempt"("clinicId", "provider", "finishedAt");
CREATE UNIQUE INDEX "Suppression_clinicId_channel_address_key" ON "Suppression"("clinicId", "channel", "address");
CREATE UNIQUE INDEX "DeviceToken_clinicId_token_key" ON "DeviceToken"("clinicId", "token");
CREATE INDEX "DeviceToken_clinicId_patientId_idx" ON "DeviceToken"("clinicId", "patientId");
CREATE UNIQUE INDEX "ProviderCircuit_clinicId_channel_provider_key" ON "ProviderCircuit"("clinicId", "channel", "provider");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Message" ADD CONSTRAINT "Message_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "MessageAttempt" ADD CONSTRAINT "MessageAttempt_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "MessageAttempt" ADD CONSTRAINT "MessageAttempt_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Suppression" ADD CONSTRAINT "Suppression_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "DeviceToken" ADD CONSTRAINT "DeviceToken_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "DeviceToken" ADD CONSTRAINT "DeviceToken_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ProviderCircuit" ADD CONSTRAINT "ProviderCircuit_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "RateLimitWindow" ADD CONSTRAINT "RateLimitWindow_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
