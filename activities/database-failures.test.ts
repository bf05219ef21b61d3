/**
 * The database-error classification every activity family shares (withDatabaseFailures), against
 * a real PostgreSQL: refusals no retry can cure become typed non-retryable failures; a database
 * that cannot be reached stays a plain, retryable error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { DATABASE_FAILURES, DATABASE_UNAVAILABLE } from '../domain/database-failures';
import { createPrismaClient } from '../prisma/client';
import { Prisma } from '../prisma/generated/client';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { insertAppointment } from '../test/support/scheduling';
import { createAppointmentActivities } from './appointments/appointment-activities';
import { withDatabaseFailures } from './database-failures';

let db: TestDatabase;
let clinicId: string;

before(async () => {
  db = await createTestDatabase();
  clinicId = (await db.prisma.clinic.create({ data: { name: 'Faults', timezone: 'Europe/London', licenseTierCode: 'L' } })).id;
});
after(async () => db?.drop());

/** Asserts a non-retryable ApplicationFailure of `type` whose message does not quote `secret`. */
async function refusedAs(run: Promise<unknown>, type: string, secret?: string): Promise<void> {
  await assert.rejects(run, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, `not an ApplicationFailure: ${String(err)}`);
    assert.deepEqual([err.type, err.nonRetryable], [type, true], err.message);
    if (secret) assert.equal(err.message.includes(secret), false, 'the refused value is quoted');
    return true;
  });
}

describe('permanent refusals fail at once with a type', () => {
  // Small activities that each provoke one kind of refusal from the real database.
  const acts = () =>
    withDatabaseFailures({
      rename: async (name: string) => db.prisma.clinic.update({ where: { id: clinicId }, data: { name } }),
      find: async (id: string) => db.prisma.clinic.findFirst({ where: { id } }),
      addStaff: async (email: string) => db.prisma.staffUser.create({ data: { clinicId, email, passwordHash: 'x', firstName: 'A', lastName: 'B', role: 'NURSE' } }),
      addPatientTo: async (otherClinicId: string) => db.prisma.patient.create({ data: { clinicId: otherClinicId, firstName: 'A', lastName: 'B', barcode: 'FK-1' } }),
      renameMissing: async () => db.prisma.clinic.update({ where: { id: '00000000-0000-4000-8000-000000000000' }, data: { name: 'x' } }),
      settings: async (value: string) => db.prisma.clinic.update({ where: { id: clinicId }, data: { settings: { note: value } } }),
      stampBadDate: async () => db.prisma.clinic.update({ where: { id: clinicId }, data: { createdAt: new Date('not a date') } }),
    });

  test('a NUL byte in text: DB_INVALID_ENCODING (22021)', async () => {
    await refusedAs(acts().rename('a\u0000b'), DATABASE_FAILURES.invalidEncoding);
  });

  test('a value of the wrong form: DB_INVALID_INPUT (22P02 invalid text representation), without quoting it', async () => {
    await refusedAs(acts().find('patient-jane-doe'), DATABASE_FAILURES.invalidInput, 'jane-doe');
    await refusedAs(acts().settings('lone \ud800 surrogate'), DATABASE_FAILURES.invalidInput);
    await refusedAs(acts().stampBadDate(), DATABASE_FAILURES.invalidInput);
  });

  test('unique and foreign-key constraints: DB_CONSTRAINT_VIOLATION, naming the constraint but not the value', async () => {
    await acts().addStaff('dup@faults.test');
    await refusedAs(acts().addStaff('dup@faults.test'), DATABASE_FAILURES.constraint, 'dup@faults.test');
    await refusedAs(acts().addPatientTo('00000000-0000-4000-8000-000000000000'), DATABASE_FAILURES.constraint);
  });

  test('an update of a row that does not exist: DB_NOT_FOUND (P2025)', async () => {
    await refusedAs(acts().renameMissing(), DATABASE_FAILURES.notFound);
  });

  test('a real activity family: cancelling with a NUL byte in the reason fails at once and writes nothing', async () => {
    const practitionerId = (await db.prisma.staffUser.create({ data: { clinicId, email: 'pt@faults.test', passwordHash: 'x', firstName: 'P', lastName: 'T', role: 'THERAPIST' } })).id;
    const patientId = (await db.prisma.patient.create({ data: { clinicId, firstName: 'C', lastName: 'R', barcode: 'F-1' } })).id;
    const startsAt = new Date(Date.now() + 48 * 3_600_000);
    const a = await insertAppointment({ db }, { clinicId, patientId, practitionerId, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 1_800_000).toISOString() });
    const activities = withDatabaseFailures(createAppointmentActivities({ prisma: db.prisma }));
    await refusedAs(activities.applyAppointmentTransition({ clinicId, appointmentId: a.id, action: 'cancel', at: Date.now(), reason: 'x\u0000y' }), DATABASE_FAILURES.invalidEncoding);
    assert.equal((await db.prisma.appointment.findUniqueOrThrow({ where: { id: a.id } })).status, 'SCHEDULED');
  });

  test("the activities' own refusals pass through unchanged", async () => {
    const activities = withDatabaseFailures(createAppointmentActivities({ prisma: db.prisma }));
    await refusedAs(activities.applyAppointmentTransition({ clinicId, appointmentId: '00000000-0000-4000-8000-000000000000', action: 'confirm', at: Date.now() }), 'APPOINTMENT_NOT_FOUND');
  });
});

test('a database that cannot be reached stays retryable (the original error), and each attempt logs "database unavailable"', async () => {
  const unreachable = createPrismaClient('postgresql://nobody:nothing@127.0.0.1:1/none', { max: 1 });
  const warnings: Array<{ message: string; meta?: Record<string, unknown> }> = [];
  const logger = new DefaultLogger('WARN', ({ level, message, meta }) => {
    // The SDK adds its own "Activity failed" warning; ours is the one ops alert on.
    if (level === 'WARN' && message === DATABASE_UNAVAILABLE) warnings.push({ message, meta });
  });
  try {
    const acts = withDatabaseFailures({ load: async () => unreachable.clinic.findFirst() });
    await assert.rejects(new MockActivityEnvironment({ attempt: 4, activityType: 'load' }, { logger }).run(acts.load), (err: unknown) => {
      assert.equal(err instanceof ApplicationFailure, false);
      assert.ok(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P1001', String(err));
      return true;
    });
    assert.deepEqual(
      warnings.map((w) => [w.message, w.meta?.attempt, w.meta?.code]),
      [[DATABASE_UNAVAILABLE, 4, 'P1001']],
    );
  } finally {
    await unreachable.$disconnect();
  }
});
