-- Booking without the clinic-wide row lock: the month's appointment count is kept per clinic and
-- month by a trigger (so every write path keeps it exact, whoever changes an appointment), and each
-- appointment records when its lifecycle workflow was started, so the start reconciler finds the
-- committed rows that have none.

CREATE TABLE "AppointmentMonthUsage" (
    "clinicId" UUID NOT NULL,
    "month" DATE NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "AppointmentMonthUsage_pkey" PRIMARY KEY ("clinicId", "month")
);
ALTER TABLE "AppointmentMonthUsage" ADD CONSTRAINT "AppointmentMonthUsage_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "Appointment" ADD COLUMN "workflowStartedAt" TIMESTAMPTZ(3);
-- Every appointment booked before this migration had its workflow started inside its booking.
UPDATE "Appointment" SET "workflowStartedAt" = "createdAt";
CREATE INDEX "Appointment_workflowStartedAt_createdAt_idx" ON "Appointment"("workflowStartedAt", "createdAt");

-- The calendar month (clinic time) an appointment counts in: the same rule as appointmentsInMonth.
CREATE FUNCTION "appointment_usage_month"(starts_at TIMESTAMPTZ, tz TEXT) RETURNS DATE
    LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('month', starts_at AT TIME ZONE tz)::date $$;

CREATE FUNCTION "appointment_month_usage_track"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tz TEXT;
    was DATE; -- the month the row counted in before (NULL: it did not count)
    is_now DATE; -- the month it counts in now
BEGIN
    SELECT c.timezone INTO tz FROM "Clinic" c WHERE c.id = COALESCE(NEW."clinicId", OLD."clinicId");
    IF TG_OP <> 'INSERT' AND OLD.status <> 'CANCELLED' THEN was := appointment_usage_month(OLD."startsAt", tz); END IF;
    IF TG_OP <> 'DELETE' AND NEW.status <> 'CANCELLED' THEN is_now := appointment_usage_month(NEW."startsAt", tz); END IF;
    IF was IS NOT DISTINCT FROM is_now THEN RETURN NULL; END IF;
    -- Earlier month first: two moves in opposite directions lock the two rows in the same order.
    IF was IS NOT NULL AND (is_now IS NULL OR was < is_now) THEN
        UPDATE "AppointmentMonthUsage" SET count = count - 1 WHERE "clinicId" = OLD."clinicId" AND month = was;
        was := NULL;
    END IF;
    IF is_now IS NOT NULL THEN
        INSERT INTO "AppointmentMonthUsage" ("clinicId", month, count) VALUES (NEW."clinicId", is_now, 1)
            ON CONFLICT ("clinicId", month) DO UPDATE SET count = "AppointmentMonthUsage".count + 1;
    END IF;
    IF was IS NOT NULL THEN
        UPDATE "AppointmentMonthUsage" SET count = count - 1 WHERE "clinicId" = OLD."clinicId" AND month = was;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER "Appointment_month_usage_insert_delete" AFTER INSERT OR DELETE ON "Appointment"
    FOR EACH ROW EXECUTE FUNCTION "appointment_month_usage_track"();
-- Only changes that can move the count: confirming or checking in touches no counter row.
CREATE TRIGGER "Appointment_month_usage_update" AFTER UPDATE OF status, "startsAt" ON "Appointment"
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD."startsAt" IS DISTINCT FROM NEW."startsAt")
    EXECUTE FUNCTION "appointment_month_usage_track"();

-- A clinic that moves to another time zone has its months counted again in the new one.
CREATE FUNCTION "appointment_month_usage_recount"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM "AppointmentMonthUsage" WHERE "clinicId" = NEW.id;
    INSERT INTO "AppointmentMonthUsage" ("clinicId", month, count)
        SELECT NEW.id, appointment_usage_month(a."startsAt", NEW.timezone), count(*)::int
          FROM "Appointment" a WHERE a."clinicId" = NEW.id AND a.status <> 'CANCELLED' GROUP BY 2;
    RETURN NULL;
END $$;
CREATE TRIGGER "Clinic_timezone_month_usage" AFTER UPDATE OF timezone ON "Clinic"
    FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION "appointment_month_usage_recount"();

INSERT INTO "AppointmentMonthUsage" ("clinicId", month, count)
    SELECT a."clinicId", appointment_usage_month(a."startsAt", c.timezone), count(*)::int
      FROM "Appointment" a JOIN "Clinic" c ON c.id = a."clinicId"
     WHERE a.status <> 'CANCELLED' GROUP BY 1, 2;
