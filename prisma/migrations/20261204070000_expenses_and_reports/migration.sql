-- Expenses (with an optional receipt file in the file storage), and the index the reports read
-- revenue over a period by.

CREATE TABLE "Expense" (
    "id" UUID NOT NULL,
    "clinicId" UUID NOT NULL,
    "category" TEXT NOT NULL,
    "amount" DECIMAL(12,2) NOT NULL,
    "currency" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "vendor" TEXT,
    "paymentMethod" "PaymentMethod" NOT NULL,
    "note" TEXT,
    "receiptKey" TEXT,
    "receiptContentType" TEXT,
    "receiptSize" INTEGER,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "Expense_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Expense_clinicId_date_idx" ON "Expense"("clinicId", "date");
CREATE INDEX "Expense_clinicId_category_idx" ON "Expense"("clinicId", "category");
ALTER TABLE "Expense" ADD CONSTRAINT "Expense_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE INDEX "Payment_clinicId_createdAt_idx" ON "Payment"("clinicId", "createdAt");
