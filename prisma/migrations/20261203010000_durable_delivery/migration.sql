-- Durable delivery: messages wait out outages (RETRYING) until their deadline (EXPIRED), provider
-- chains hold entries (one provider type may appear twice), sends are grouped in idempotent batches,
-- and messaging incidents and health probes are kept.

ALTER TYPE "MessageStatus" ADD VALUE 'RETRYING' AFTER 'SENDING';
ALTER TYPE "MessageStatus" ADD VALUE 'EXPIRED';
CREATE TYPE "MessagingAlertKind" AS ENUM ('CIRCUIT_OPEN', 'CHANNEL_SILENT', 'CREDENTIALS_REJECTED', 'BOUNCE_RATE', 'RATE_LIMIT_NEAR');

-- Existing chains become entries: the provider type is the id of the entry that was its only one
-- (a chain could not hold a type twice until now), and its label until the clinic names it.
UPDATE "CommunicationConfig" c
SET "providers" = (
  SELECT coalesce(jsonb_agg(e || jsonb_build_object('id', coalesce(e->>'id', e->>'provider'), 'label', coalesce(e->>'label', e->>'provider')) ORDER BY ord), '[]'::jsonb)
  FROM jsonb_array_elements(c."providers") WITH ORDINALITY AS t(e, ord)
);

CREATE TABLE "MessageBatch" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "idempotencyKey" TEXT,
    "fingerprint" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MessageBatch_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "MessageBatch_clinicId_idempotencyKey_key" ON "MessageBatch"("clinicId", "idempotencyKey");
ALTER TABLE "MessageBatch" ADD CONSTRAINT "MessageBatch_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Message" ADD COLUMN "providerEntryId" TEXT;
ALTER TABLE "Message" ADD COLUMN "batchId" UUID;
ALTER TABLE "Message" ADD COLUMN "expiresAt" TIMESTAMPTZ(3) NOT NULL DEFAULT (CURRENT_TIMESTAMP + '72:00:00'::interval);
ALTER TABLE "Message" ADD COLUMN "nextAttemptAt" TIMESTAMPTZ(3);
ALTER TABLE "Message" ADD COLUMN "redrives" INTEGER NOT NULL DEFAULT 0;
UPDATE "Message" SET "expiresAt" = "createdAt" + '72:00:00'::interval, "providerEntryId" = "provider";
ALTER TABLE "Message" ADD CONSTRAINT "Message_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "MessageBatch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

ALTER TABLE "MessageAttempt" ADD COLUMN "providerEntryId" TEXT;
ALTER TABLE "MessageAttempt" ADD COLUMN "providerLabel" TEXT;
ALTER TABLE "MessageAttempt" ADD COLUMN "round" INTEGER NOT NULL DEFAULT 1;
UPDATE "MessageAttempt" SET "providerEntryId" = "provider", "providerLabel" = "provider";
ALTER TABLE "MessageAttempt" ALTER COLUMN "providerEntryId" SET NOT NULL;
ALTER TABLE "MessageAttempt" ALTER COLUMN "providerLabel" SET NOT NULL;
DROP INDEX "MessageAttempt_attemptKey_attemptNumber_key";
CREATE UNIQUE INDEX "MessageAttempt_attemptKey_round_attemptNumber_key" ON "MessageAttempt"("attemptKey", "round", "attemptNumber");
DROP INDEX "MessageAttempt_clinicId_provider_finishedAt_idx";
CREATE INDEX "MessageAttempt_clinicId_providerEntryId_finishedAt_idx" ON "MessageAttempt"("clinicId", "providerEntryId", "finishedAt");

-- Circuits are kept per entry from now on; their state is short-lived, so they start afresh.
DELETE FROM "ProviderCircuit";
ALTER TABLE "ProviderCircuit" ADD COLUMN "entryId" TEXT NOT NULL;
DROP INDEX "ProviderCircuit_clinicId_channel_provider_key";
CREATE UNIQUE INDEX "ProviderCircuit_clinicId_channel_entryId_key" ON "ProviderCircuit"("clinicId", "channel", "entryId");

CREATE TABLE "MessagingAlert" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "kind" "MessagingAlertKind" NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "entryId" TEXT NOT NULL DEFAULT '',
    "label" TEXT NOT NULL DEFAULT '',
    "details" JSONB NOT NULL DEFAULT '{}',
    "openedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolvedAt" TIMESTAMPTZ(3),
    CONSTRAINT "MessagingAlert_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "MessagingAlert_clinicId_openedAt_idx" ON "MessagingAlert"("clinicId", "openedAt");
-- One incident at a time per kind, channel and entry: a second "open" finds the first.
CREATE UNIQUE INDEX "MessagingAlert_one_open" ON "MessagingAlert"("clinicId", "kind", "channel", "entryId") WHERE "resolvedAt" IS NULL;
ALTER TABLE "MessagingAlert" ADD CONSTRAINT "MessagingAlert_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "ProviderProbe" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "entryId" TEXT NOT NULL,
    "ok" BOOLEAN NOT NULL,
    "errorKind" TEXT,
    "errorCode" TEXT,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProviderProbe_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ProviderProbe_clinicId_entryId_checkedAt_idx" ON "ProviderProbe"("clinicId", "entryId", "checkedAt");
ALTER TABLE "ProviderProbe" ADD CONSTRAINT "ProviderProbe_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
