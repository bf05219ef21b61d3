/**
 * Booking without a clinic-wide lock, through the real API over real PostgreSQL and the Temporal
 * dev server: the licence's monthly limit stays exact under concurrent bookings, a booking whose
 * workflow Temporal could not take is answered and kept (its workflow started by an action on it,
 * by asking again or by the start reconciler), and the list comes back by start time.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import { ensureAppointmentWorkflow, stopAppointmentWorkflowStarts } from '../../api/services/appointment-workflow-starts';
import { TASK_QUEUES } from '../../domain/temporal';
import { createPrismaClient } from '../../prisma/client';
import { connectTemporalClient } from '../../temporal-config/client';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { adminUrl } from '../../test/support/database';
import { expectError } from '../../test/support/errors';
import { eventually } from '../../test/support/eventually';
import { createPatient, hoursAhead, ROUND_THE_CLOCK } from '../../test/support/scheduling';
import { startTemporalRelay } from '../../test/support/worker-process';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

const APPOINTMENTS = '/api/v1/appointments';
const HOUR = 3_600_000;

let api: TestApi;
let worker: TestWorker;

before(async () => {
  api = await startTestApi();
  worker = await startTestWorker(api);
});

after(async () => {
  await worker?.stop();
  await api?.close();
});

/** A clinic in UTC with one practitioner working round the clock and a receptionist. */
async function clinicWith(tier: string) {
  const clinic = await createClinic(api, { tier, timezone: 'UTC' });
  const desk = await actor(api, 'RECEPTIONIST', clinic.id);
  const doc = await actor(api, 'DOCTOR', clinic.id);
  await api.db.prisma.practitionerSchedule.create({ data: { clinicId: clinic.id, practitionerId: doc.id, weekly: ROUND_THE_CLOCK } });
  return { clinic, desk, doc };
}

const booking = (patientId: string, practitionerId: string, startsAt: Date) => ({ patientId, practitionerId, startsAt: startsAt.toISOString(), durationMinutes: 30, type: 'CONSULTATION' });
const post = (http: ReturnType<typeof supertest>, who: Actor, body: object, key = randomUUID()) => http.post(APPOINTMENTS).set(bearer(who)).set('Idempotency-Key', key).send(body);
const describeWorkflow = (workflowId: string) => api.temporal.client.workflow.getHandle(workflowId).describe();
/** A day of half-hour slots well inside one calendar month (UTC), so every booking counts in the same month. */
function slotsInOneMonth(count: number): Date[] {
  let day = hoursAhead(48);
  if (day.getUTCDate() > 25) day = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 2, 8));
  return Array.from({ length: count }, (_, i) => new Date(day.getTime() + i * HOUR));
}

describe("the licence's monthly limit", () => {
  test('twelve concurrent bookings against three free places: exactly three booked, the others 402, and a cancellation frees one', async () => {
    await api.db.prisma.licenseTier.create({ data: { code: 'THREE', name: 'Three', rank: 98, maxStaff: 10, maxPatients: 50, maxAppointmentsPerMonth: 3, monthlyPrice: 1 } });
    const { clinic, desk, doc } = await clinicWith('THREE');
    const slots = slotsInOneMonth(13);
    const patients = await Promise.all(slots.map(() => createPatient(api, clinic.id)));
    const answers = await Promise.all(slots.slice(0, 12).map((at, i) => post(api.http, desk, booking(patients[i]!.id, doc.id, at))));
    const statuses = answers.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array<number>(3).fill(201), ...Array<number>(9).fill(402)]);
    for (const r of answers.filter((a) => a.status === 402)) assert.equal(expectError(r, 402, 'LICENSE_LIMIT_EXCEEDED').details && (r.body as { error: { details: { limit: number } } }).error.details.limit, 3);
    assert.equal(await api.db.prisma.appointment.count({ where: { clinicId: clinic.id } }), 3);
    const [usage] = await api.db.prisma.appointmentMonthUsage.findMany({ where: { clinicId: clinic.id } });
    assert.equal(usage?.count, 3);

    const booked = (answers.find((a) => a.status === 201)!.body as { id: string }).id;
    await api.http.post(`${APPOINTMENTS}/${booked}/cancel`).set(bearer(desk)).send({ reason: 'moved away' }).expect(200);
    assert.equal((await api.db.prisma.appointmentMonthUsage.findFirstOrThrow({ where: { clinicId: clinic.id } })).count, 2);
    await post(api.http, desk, booking(patients[12]!.id, doc.id, slots[12]!)).expect(201);
  });
});

describe('a booking Temporal could not take', () => {
  test('is answered 201 and kept; an action on it starts its workflow first (503 while Temporal is away); the same request again or the reconciler starts the rest', async () => {
    const { clinic, desk, doc } = await clinicWith('L');
    const [p1, p2, p3] = [await createPatient(api, clinic.id), await createPatient(api, clinic.id), await createPatient(api, clinic.id)];
    // An API whose Temporal goes away after connecting: every start fails, the database works.
    const relay = await startTemporalRelay(process.env.TEMPORAL_ADDRESS!);
    const cut = await connectTemporalClient({ address: relay.address, namespace: 'default', keys: api.config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: api.config.PAYLOAD_ENCRYPTION_KEY_ID });
    const offlineDeps = { config: api.config, prisma: api.db.prisma, temporal: cut, logger: pino({ level: 'silent' }), metrics: new Registry() };
    const offline = supertest(createApp(offlineDeps));
    await relay.close();
    const [first, second, third] = [hoursAhead(60), hoursAhead(62), hoursAhead(64)];
    const key = randomUUID();
    try {
      const booked = await post(offline, desk, booking(p1.id, doc.id, first), key).expect(201);
      await post(offline, desk, booking(p2.id, doc.id, second)).expect(201);
      await post(offline, desk, booking(p3.id, doc.id, third)).expect(201);
      // Its workflow cannot start, so neither can an action on it: 503 with Retry-After, and nothing changes.
      const refused = await offline.post(`${APPOINTMENTS}/${(booked.body as { id: string }).id}/confirm`).set(bearer(desk)).send({});
      expectError(refused, 503, 'TEMPORAL_UNAVAILABLE');
      assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After is set');
    } finally {
      // As the API does on shutdown: its background starts end before their connection closes.
      await stopAppointmentWorkflowStarts(offlineDeps, 10_000);
      await cut.connection.close().catch(() => undefined);
    }
    const rows = await api.db.prisma.appointment.findMany({ where: { clinicId: clinic.id }, orderBy: { startsAt: 'asc' } });
    assert.equal(rows.length, 3, 'every booking is kept');
    assert.ok(rows.every((r) => r.workflowStartedAt === null && r.status === 'SCHEDULED'));

    // The caller asks again with the same key: the same appointment, and its workflow starts.
    const again = await post(api.http, desk, booking(p1.id, doc.id, first), key).expect(201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal((again.body as { id: string }).id, rows[0]!.id);
    await eventually('the replayed booking to be marked started', async () => (await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: rows[0]!.id } })).workflowStartedAt);
    assert.equal((await describeWorkflow(rows[0]!.workflowId)).status.name, 'RUNNING');

    // An action on the second, with Temporal back: its workflow starts, then takes the action.
    const confirmed = await api.http.post(`${APPOINTMENTS}/${rows[1]!.id}/confirm`).set(bearer(desk)).send({}).expect(200);
    assert.equal((confirmed.body as { status: string }).status, 'CONFIRMED');
    assert.equal((await describeWorkflow(rows[1]!.workflowId)).status.name, 'RUNNING');
    assert.ok((await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: rows[1]!.id } })).workflowStartedAt, 'the row is marked');

    // Nobody asks again for the third: once past the reconciler's grace, its run starts the workflow.
    await api.db.prisma.appointment.update({ where: { id: rows[2]!.id }, data: { createdAt: new Date(Date.now() - 5 * 60_000) } });
    const run = () => api.temporal.client.workflow.execute('startReconcilerWorkflow', { taskQueue: TASK_QUEUES.operations, workflowId: `start-reconciler-test-${randomUUID()}` });
    assert.ok(((await run()) as { appointmentsStarted: number }).appointmentsStarted >= 1);
    const started = await describeWorkflow(rows[2]!.workflowId);
    assert.equal(started.status.name, 'RUNNING');
    const marked = await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: rows[2]!.id } });
    assert.ok(marked.workflowStartedAt, 'the row is marked');

    // Again: nothing left to start, and the workflow keeps its one run.
    await run();
    assert.equal((await describeWorkflow(rows[2]!.workflowId)).runId, started.runId);
  });
});

describe('a started workflow the database could not record at once', () => {
  test('is marked once the database takes connections again, without waiting for the reconciler', async () => {
    const { clinic, desk, doc } = await clinicWith('L');
    const patient = await createPatient(api, clinic.id);
    const booked = (await post(api.http, desk, booking(patient.id, doc.id, hoursAhead(70))).expect(201)).body as { id: string };
    await eventually('the booking to be marked started', async () => (await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: booked.id } })).workflowStartedAt);
    // As if the mark had been lost: the workflow runs, the row says it has not started.
    const row = await api.db.prisma.appointment.update({ where: { id: booked.id }, data: { workflowStartedAt: null } });

    // The database refuses connections for a moment (as while it restarts); Temporal is there.
    const database = new URL(api.db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    const prisma = createPrismaClient(api.db.url, { max: 1 });
    const deps = { config: api.config, prisma, temporal: api.temporal, logger: pino({ level: 'silent' }), metrics: new Registry() };
    try {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
      let outcome: unknown = 'waiting';
      const ensured = ensureAppointmentWorkflow(deps, row).then(
        () => (outcome = 'marked'),
        (err: unknown) => (outcome = err),
      );
      await sleep(1_500);
      assert.equal(outcome, 'waiting', 'still waiting for the database');
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await ensured;
      assert.equal(outcome, 'marked');
    } finally {
      await admin.query(`ALTER DATABASE ${database} ALLOW_CONNECTIONS true`);
      await admin.end();
      await stopAppointmentWorkflowStarts(deps, 10_000);
      await prisma.$disconnect();
    }
    assert.ok((await api.db.prisma.appointment.findUniqueOrThrow({ where: { id: booked.id } })).workflowStartedAt, 'the row is marked');
    assert.equal((await describeWorkflow(row.workflowId)).status.name, 'RUNNING');
  });
});

describe('the list', () => {
  test('comes back by start time, page after page', async () => {
    const { clinic, desk, doc } = await clinicWith('L');
    const patient = await createPatient(api, clinic.id);
    const times = [5, 1, 4, 2, 3].map((h) => hoursAhead(100 + h));
    for (const at of times) await post(api.http, desk, booking(patient.id, doc.id, at)).expect(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = { limit: 2, practitionerId: doc.id, ...(cursor ? { cursor } : {}) };
      const page = (await api.http.get(APPOINTMENTS).query(query).set(bearer(desk)).expect(200)).body as { data: Array<{ startsAt: string }>; nextCursor: string | null };
      seen.push(...page.data.map((a) => a.startsAt));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...times].sort((a, b) => a.getTime() - b.getTime()).map((t) => t.toISOString()));
    expectError(await api.http.get(APPOINTMENTS).query({ cursor: 'bm90LWEtY3Vyc29y' }).set(bearer(desk)), 400, 'INVALID_CURSOR');
  });
});
