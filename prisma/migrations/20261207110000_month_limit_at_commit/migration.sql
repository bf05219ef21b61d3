-- The month's appointment count is taken when the transaction commits, not when the row is
-- written: the counter row of a clinic's month is then locked only for the commit itself, never
-- while the booking's request still talks to the database, so one clinic's bookings no longer
-- queue behind each other's round trips. A booking asks for its licence check with
-- set_config('clinicflow.month_limit', 'enforce', true): the count it takes is then compared with
-- the tier's monthly limit under that same lock, and a booking beyond it fails its commit with
-- SQLSTATE CF402 (nothing is written). Other changes (cancel, reschedule, imports) only count.

CREATE OR REPLACE FUNCTION "appointment_month_usage_track"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tz TEXT;
    max_per_month INTEGER;
    was DATE; -- the month the row counted in before (NULL: it did not count)
    is_now DATE; -- the month it counts in now
    counted INTEGER;
BEGIN
    SELECT c.timezone, t."maxAppointmentsPerMonth" INTO tz, max_per_month
      FROM "Clinic" c JOIN "LicenseTier" t ON t.code = c."licenseTierCode"
     WHERE c.id = COALESCE(NEW."clinicId", OLD."clinicId");
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
            ON CONFLICT ("clinicId", month) DO UPDATE SET count = "AppointmentMonthUsage".count + 1
            RETURNING count INTO counted;
        IF current_setting('clinicflow.month_limit', true) = 'enforce' AND max_per_month IS NOT NULL AND counted > max_per_month THEN
            RAISE EXCEPTION 'the monthly appointment limit of the licence is reached' USING ERRCODE = 'CF402';
        END IF;
    END IF;
    IF was IS NOT NULL THEN
        UPDATE "AppointmentMonthUsage" SET count = count - 1 WHERE "clinicId" = OLD."clinicId" AND month = was;
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER "Appointment_month_usage_insert_delete" ON "Appointment";
DROP TRIGGER "Appointment_month_usage_update" ON "Appointment";
CREATE CONSTRAINT TRIGGER "Appointment_month_usage_insert_delete" AFTER INSERT OR DELETE ON "Appointment"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "appointment_month_usage_track"();
CREATE CONSTRAINT TRIGGER "Appointment_month_usage_update" AFTER UPDATE OF status, "startsAt" ON "Appointment"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD."startsAt" IS DISTINCT FROM NEW."startsAt")
    EXECUTE FUNCTION "appointment_month_usage_track"();
