-- Each invoice line names the session it bills, so one invoice can bill a patient's month of
-- sessions (the clinic's monthly invoicing) and a session's cost is the sum of its lines.
ALTER TABLE "InvoiceLine" ADD COLUMN "appointmentId" UUID;

-- Lines of per-session invoices written before: their invoice's session.
UPDATE "InvoiceLine" l SET "appointmentId" = i."appointmentId"
  FROM "Invoice" i
 WHERE i.id = l."invoiceId" AND i."appointmentId" IS NOT NULL;

CREATE INDEX "InvoiceLine_clinicId_appointmentId_idx" ON "InvoiceLine"("clinicId", "appointmentId");

ALTER TABLE "InvoiceLine" ADD CONSTRAINT "InvoiceLine_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE SET NULL ON UPDATE CASCADE;
