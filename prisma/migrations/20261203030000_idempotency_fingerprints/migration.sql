-- Idempotency keys bound to their request: the fingerprint (sha256 of method, path and canonical
-- JSON body) of the request that used the key. Same key, other fingerprint: 422
-- IDEMPOTENCY_KEY_REUSED. Rows written before this migration keep NULL (no fingerprint to compare).
-- The keys stay in their rows and stay unique per clinic: a key never books or records twice,
-- and the API replays a key's result only within 24 hours of the row's createdAt.

ALTER TABLE "Appointment" ADD COLUMN "idempotencyFingerprint" TEXT;
ALTER TABLE "Payment" ADD COLUMN "idempotencyFingerprint" TEXT;
ALTER TABLE "CreditEntry" ADD COLUMN "idempotencyFingerprint" TEXT;
