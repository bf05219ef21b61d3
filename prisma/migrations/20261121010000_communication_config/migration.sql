-- Per-clinic channel configuration for message delivery.

-- CreateEnum
CREATE TYPE "MessageChannel" AS ENUM ('email', 'sms', 'whatsapp', 'push');

-- CreateTable
CREATE TABLE "CommunicationConfig" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "channel" "MessageChannel" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "providers" JSONB NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "CommunicationConfig_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CommunicationConfig_clinicId_channel_key" ON "CommunicationConfig"("clinicId", "channel");

-- AddForeignKey
ALTER TABLE "CommunicationConfig" ADD CONSTRAINT "CommunicationConfig_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
