-- TOTP two-factor sign-in for staff admins: the sealed secret per account, its one-time recovery
-- codes (hashed), and which refresh-token families were started by a login that passed it.

CREATE TABLE "StaffTwoFactor" (
    "id" UUID NOT NULL,
    "clinicId" UUID,
    "userId" UUID NOT NULL,
    "secretSealed" TEXT NOT NULL,
    "enabledAt" TIMESTAMPTZ(3),
    "lastUsedStep" INTEGER,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "StaffTwoFactor_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "StaffTwoFactor_userId_key" ON "StaffTwoFactor"("userId");
CREATE INDEX "StaffTwoFactor_clinicId_idx" ON "StaffTwoFactor"("clinicId");
ALTER TABLE "StaffTwoFactor" ADD CONSTRAINT "StaffTwoFactor_userId_fkey" FOREIGN KEY ("userId") REFERENCES "StaffUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "StaffRecoveryCode" (
    "id" UUID NOT NULL,
    "clinicId" UUID,
    "userId" UUID NOT NULL,
    "codeHash" TEXT NOT NULL,
    "usedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "StaffRecoveryCode_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "StaffRecoveryCode_userId_codeHash_key" ON "StaffRecoveryCode"("userId", "codeHash");
CREATE INDEX "StaffRecoveryCode_clinicId_userId_idx" ON "StaffRecoveryCode"("clinicId", "userId");
ALTER TABLE "StaffRecoveryCode" ADD CONSTRAINT "StaffRecoveryCode_userId_fkey" FOREIGN KEY ("userId") REFERENCES "StaffUser"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Families started before this existed did not pass two-factor: nobody had it on yet.
ALTER TABLE "RefreshToken" ADD COLUMN "twoFactorVerified" BOOLEAN NOT NULL DEFAULT false;
