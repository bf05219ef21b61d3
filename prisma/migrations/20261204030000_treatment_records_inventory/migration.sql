-- The clinical side of a session: the treatment catalogue (categories, instructions, barcodes,
-- archiving), treatment records with their signed versions and the materials they used, the
-- clinic's inventory with its transactions, low-stock alerts and reorder requests, and the
-- INVENTORY_MANAGER role.

ALTER TYPE "StaffRole" ADD VALUE 'INVENTORY_MANAGER';

CREATE TYPE "TreatmentRecordStatus" AS ENUM ('DRAFT', 'SIGNED');
CREATE TYPE "BarcodeEntry" AS ENUM ('SCANNED', 'ENTERED');
CREATE TYPE "InventoryTransactionType" AS ENUM ('RECEIVE', 'USE', 'ADJUST');
CREATE TYPE "ReorderRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED');

CREATE TABLE "TreatmentCategory" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "TreatmentCategory_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "TreatmentCategory_clinicId_name_key" ON "TreatmentCategory"("clinicId", "name");
ALTER TABLE "TreatmentCategory" ADD CONSTRAINT "TreatmentCategory_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "TherapyType" ADD COLUMN "categoryId" UUID, ADD COLUMN "instructions" TEXT, ADD COLUMN "barcode" TEXT, ADD COLUMN "archivedAt" TIMESTAMPTZ(3);
CREATE UNIQUE INDEX "TherapyType_clinicId_barcode_key" ON "TherapyType"("clinicId", "barcode");
CREATE INDEX "TherapyType_clinicId_categoryId_idx" ON "TherapyType"("clinicId", "categoryId");
ALTER TABLE "TherapyType" ADD CONSTRAINT "TherapyType_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "TreatmentCategory"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "TreatmentRecord" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "appointmentId" UUID NOT NULL,
    "patientId" UUID NOT NULL,
    "practitionerId" UUID NOT NULL,
    "recordedById" UUID NOT NULL,
    "status" "TreatmentRecordStatus" NOT NULL DEFAULT 'DRAFT',
    "version" INTEGER NOT NULL DEFAULT 1,
    "durationMinutes" INTEGER NOT NULL,
    "cost" DECIMAL(10,2) NOT NULL,
    "discount" DECIMAL(10,2) NOT NULL DEFAULT 0,
    "finalAmount" DECIMAL(10,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "notes" TEXT,
    "complications" TEXT,
    "patientFeedback" TEXT,
    "followUpRequired" BOOLEAN NOT NULL DEFAULT false,
    "followUpDate" DATE,
    "followUpNotes" TEXT,
    "barcodeVerified" BOOLEAN NOT NULL DEFAULT false,
    "barcodeEntry" "BarcodeEntry",
    "signedAt" TIMESTAMPTZ(3),
    "signedById" UUID,
    "idempotencyKey" TEXT,
    "idempotencyFingerprint" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "TreatmentRecord_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "TreatmentRecord_clinicId_idempotencyKey_key" ON "TreatmentRecord"("clinicId", "idempotencyKey");
CREATE INDEX "TreatmentRecord_clinicId_appointmentId_idx" ON "TreatmentRecord"("clinicId", "appointmentId");
CREATE INDEX "TreatmentRecord_clinicId_patientId_idx" ON "TreatmentRecord"("clinicId", "patientId");
CREATE INDEX "TreatmentRecord_clinicId_practitionerId_status_idx" ON "TreatmentRecord"("clinicId", "practitionerId", "status");
ALTER TABLE "TreatmentRecord" ADD CONSTRAINT "TreatmentRecord_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "TreatmentRecord" ADD CONSTRAINT "TreatmentRecord_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "TreatmentRecord" ADD CONSTRAINT "TreatmentRecord_patientId_fkey" FOREIGN KEY ("patientId") REFERENCES "Patient"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "TreatmentRecordItem" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "recordId" UUID NOT NULL,
    "therapyTypeId" UUID NOT NULL,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "unitPrice" DECIMAL(10,2) NOT NULL,
    CONSTRAINT "TreatmentRecordItem_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "TreatmentRecordItem_clinicId_recordId_idx" ON "TreatmentRecordItem"("clinicId", "recordId");
ALTER TABLE "TreatmentRecordItem" ADD CONSTRAINT "TreatmentRecordItem_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "TreatmentRecord"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TreatmentRecordItem" ADD CONSTRAINT "TreatmentRecordItem_therapyTypeId_fkey" FOREIGN KEY ("therapyTypeId") REFERENCES "TherapyType"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "InventoryItem" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT,
    "sku" TEXT NOT NULL,
    "barcode" TEXT,
    "quantity" INTEGER NOT NULL DEFAULT 0,
    "minimumQuantity" INTEGER NOT NULL DEFAULT 0,
    "maximumQuantity" INTEGER,
    "unit" TEXT NOT NULL,
    "supplier" TEXT,
    "unitCost" DECIMAL(10,2) NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL,
    "location" TEXT,
    "archivedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "InventoryItem_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "InventoryItem_clinicId_sku_key" ON "InventoryItem"("clinicId", "sku");
CREATE UNIQUE INDEX "InventoryItem_clinicId_barcode_key" ON "InventoryItem"("clinicId", "barcode");
CREATE INDEX "InventoryItem_clinicId_name_idx" ON "InventoryItem"("clinicId", "name");
ALTER TABLE "InventoryItem" ADD CONSTRAINT "InventoryItem_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "TreatmentRecordMaterial" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "recordId" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    CONSTRAINT "TreatmentRecordMaterial_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "TreatmentRecordMaterial_clinicId_recordId_idx" ON "TreatmentRecordMaterial"("clinicId", "recordId");
ALTER TABLE "TreatmentRecordMaterial" ADD CONSTRAINT "TreatmentRecordMaterial_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "TreatmentRecord"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TreatmentRecordMaterial" ADD CONSTRAINT "TreatmentRecordMaterial_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InventoryItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "TreatmentRecordVersion" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "recordId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "reason" TEXT,
    "content" JSONB NOT NULL,
    "byId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TreatmentRecordVersion_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "TreatmentRecordVersion_recordId_version_key" ON "TreatmentRecordVersion"("recordId", "version");
CREATE INDEX "TreatmentRecordVersion_clinicId_recordId_idx" ON "TreatmentRecordVersion"("clinicId", "recordId");
ALTER TABLE "TreatmentRecordVersion" ADD CONSTRAINT "TreatmentRecordVersion_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "TreatmentRecord"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "InventoryTransaction" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "type" "InventoryTransactionType" NOT NULL,
    "quantityChange" INTEGER NOT NULL,
    "quantityAfter" INTEGER NOT NULL,
    "reason" TEXT,
    "byId" UUID,
    "treatmentRecordId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "InventoryTransaction_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "InventoryTransaction_clinicId_itemId_createdAt_idx" ON "InventoryTransaction"("clinicId", "itemId", "createdAt");
ALTER TABLE "InventoryTransaction" ADD CONSTRAINT "InventoryTransaction_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "InventoryTransaction" ADD CONSTRAINT "InventoryTransaction_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InventoryItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "LowStockAlert" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    "minimumQuantity" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clearedAt" TIMESTAMPTZ(3),
    CONSTRAINT "LowStockAlert_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "LowStockAlert_clinicId_itemId_idx" ON "LowStockAlert"("clinicId", "itemId");
-- One open alert per item: a second crossing without a recovery in between finds the first.
CREATE UNIQUE INDEX "LowStockAlert_one_open" ON "LowStockAlert"("clinicId", "itemId") WHERE "clearedAt" IS NULL;
ALTER TABLE "LowStockAlert" ADD CONSTRAINT "LowStockAlert_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "LowStockAlert" ADD CONSTRAINT "LowStockAlert_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InventoryItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "ReorderRequest" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "itemId" UUID NOT NULL,
    "quantity" INTEGER NOT NULL,
    "reason" TEXT,
    "status" "ReorderRequestStatus" NOT NULL DEFAULT 'PENDING',
    "requestedById" UUID,
    "decidedById" UUID,
    "decisionNotes" TEXT,
    "decidedAt" TIMESTAMPTZ(3),
    "remindedAt" TIMESTAMPTZ(3),
    "workflowId" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "ReorderRequest_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ReorderRequest_clinicId_status_idx" ON "ReorderRequest"("clinicId", "status");
CREATE INDEX "ReorderRequest_clinicId_itemId_idx" ON "ReorderRequest"("clinicId", "itemId");
ALTER TABLE "ReorderRequest" ADD CONSTRAINT "ReorderRequest_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ReorderRequest" ADD CONSTRAINT "ReorderRequest_itemId_fkey" FOREIGN KEY ("itemId") REFERENCES "InventoryItem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A signed record is immutable: it changes only by an amendment, which adds exactly one version,
-- whichever code path writes it.
CREATE FUNCTION "treatment_record_signed_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'SIGNED' AND (NEW.status <> 'SIGNED' OR NEW.version <> OLD.version + 1) THEN
        RAISE EXCEPTION 'treatment record % is signed: amend it instead', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER "TreatmentRecord_signed_immutable" BEFORE UPDATE ON "TreatmentRecord" FOR EACH ROW EXECUTE FUNCTION "treatment_record_signed_immutable"();
