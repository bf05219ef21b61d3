/**
 * The appointment workflows on Temporal's time-skipping test server, with the real activities over
 * a real PostgreSQL database and real message deliveries through nodemailer to a local SMTP server.
 * One clinic (Europe/London, reminders by email), a therapist who works round the clock and a
 * patient; each test gets its own server and worker (see `useTimeSkippingWorker`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Activities, createActivities } from '../../activities';
import { ProviderClientCache } from '../../activities/messaging/provider-clients';
import { appointmentStart, TASK_QUEUES } from '../../domain/temporal';
import { CredentialCipher } from '../../prisma/credential-cipher';
import { appointmentWorkflow } from '../../workflows/appointments/appointment';
import { startSmtpPeer, type SmtpPeer } from '../fakes/smtp-peer';
import { createTestDatabase, type TestDatabase } from './database';
import { ROUND_THE_CLOCK } from './scheduling';
import { bundleWorkflows, createTimeSkippingEnv, devServerAddress } from './temporal';

export const HOUR = 3_600_000;
const SMTP = { username: 'desk', password: 'smtp-password-0123' };
export const PATIENT_EMAIL = 'ana@patients.test';
/** Payment links in reminders point here; the tests check them, nobody follows them. */
export const PAY_LINKS = { baseUrl: 'https://api.sunrise.test', secret: 'pay-link-signing-secret-for-tests-0123456789' };

export interface LifecycleFixture {
  db: TestDatabase;
  smtp: SmtpPeer;
  clinicId: string;
  practitioner: { id: string; email: string };
  patientId: string;
  /** This test's time-skipping server, or the run's dev server. */
  env: TestWorkflowEnvironment;
  /** A plain client: env.client would skip time while waiting for updates, jumping past what a test means to check. */
  client: Client;
  /** Books an appointment `hoursAhead` of the server's clock straight into the database and starts its workflow. */
  book(hoursAhead: number, minutes?: number): Promise<{ id: string; startsAt: Date; handle: Awaited<ReturnType<Client['workflow']['start']>> }>;
  /** Emails that reached the SMTP server, waiting a little for deliveries that run on their own. */
  emails(matching: (m: SmtpPeer['received'][number]) => boolean, atLeast: number): Promise<SmtpPeer['received']>;
}

/**
 * Registers the hooks and returns the fixture, filled in as they run. With time skipping, each
 * test gets a fresh server: once abandoned children (the message deliveries) have run, the Java
 * test server stops skipping time for later workflows. Tests that steer workflows with updates and
 * need no timer use the run's real dev server instead (`timeSkipping: false`): the Java server's
 * update support can wedge a workflow task for good when updates race its tasks, and a real
 * server is the better judge of update semantics anyway.
 */
export function useLifecycleFixture({
  timeSkipping = true,
  activities = (real) => real,
}: {
  timeSkipping?: boolean;
  /** Stands in for some of the real activities (a database outage, say); the real ones are passed in. */
  activities?: (real: Activities) => Activities;
} = {}): LifecycleFixture {
  const clients = new ProviderClientCache();
  let bundle: WorkflowBundleWithSourceMap;
  let activitiesOn: (temporal: Client) => Activities;
  let worker: Worker;
  let running: Promise<void>;
  const f = {} as LifecycleFixture;

  before(async () => {
    [bundle, f.db, f.smtp] = await Promise.all([bundleWorkflows(), createTestDatabase(), startSmtpPeer(SMTP)]);
    const cipher = new CredentialCipher(new Map([['k', randomBytes(32).toString('base64')]]), 'k');
    const email = { providers: [{ provider: 'smtp', credentials: { host: '127.0.0.1', port: f.smtp.port, secure: false, ...SMTP, fromAddress: 'desk@sunrise.test' } }], settings: {} };
    activitiesOn = (temporal) => activities(createActivities({ prisma: f.db.prisma, cipher, clients, endpoints: {}, globalConfig: { email }, temporal, payLinks: PAY_LINKS }));

    const clinic = await f.db.prisma.clinic.create({
      data: { name: 'Sunrise', timezone: 'Europe/London', licenseTierCode: 'L', settings: { appointments: { reminderChannels: ['email'] } } },
    });
    f.clinicId = clinic.id;
    f.practitioner = await f.db.prisma.staffUser.create({
      data: { clinicId: f.clinicId, email: 'therapist@sunrise.test', passwordHash: 'x', firstName: 'Tess', lastName: 'Ng', role: 'THERAPIST' },
    });
    await f.db.prisma.staffUser.create({ data: { clinicId: f.clinicId, email: 'admin@sunrise.test', passwordHash: 'x', firstName: 'Ada', lastName: 'Min', role: 'CLINIC_ADMIN' } });
    f.patientId = (await f.db.prisma.patient.create({ data: { clinicId: f.clinicId, firstName: 'Ana', lastName: 'Diaz', email: PATIENT_EMAIL, barcode: 'WF-1' } })).id;
    // Round the clock, every day: these tests are about the workflows, not about working hours.
    await f.db.prisma.practitionerSchedule.create({ data: { clinicId: f.clinicId, practitionerId: f.practitioner.id, weekly: ROUND_THE_CLOCK } });
  });

  after(async () => {
    await clients.closeAll();
    await f.smtp?.stop();
    await f.db?.drop();
  });

  beforeEach(async () => {
    f.env = timeSkipping ? await createTimeSkippingEnv() : await TestWorkflowEnvironment.createFromExistingServer({ address: devServerAddress() });
    f.client = new Client({ connection: f.env.connection, namespace: f.env.namespace });
    worker = await Worker.create({ connection: f.env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities: activitiesOn(f.client) });
    running = worker.run();
  });

  afterEach(async () => {
    worker.shutdown();
    await running;
    await f.env.teardown();
  });

  f.book = async (hoursAhead, minutes = 50) => {
    const now = (await f.env.currentTimeMs()) as number;
    const startsAt = new Date(Math.round((now + hoursAhead * HOUR) / 60_000) * 60_000);
    const id = randomUUID();
    const row = await f.db.prisma.appointment.create({
      data: {
        id,
        clinicId: f.clinicId,
        reservationId: `APT-${id.slice(0, 8).toUpperCase()}`,
        patientId: f.patientId,
        practitionerId: f.practitioner.id,
        type: 'TREATMENT',
        bookingMode: 'SPECIFIC_TIME',
        startsAt,
        endsAt: new Date(startsAt.getTime() + minutes * 60_000),
        idempotencyKey: id,
        workflowId: `appointment/${f.clinicId}/${id}`,
      },
    });
    const handle = await f.client.workflow.start(appointmentWorkflow, appointmentStart(f.clinicId, row));
    return { id, startsAt, handle };
  };

  f.emails = async (matching, atLeast) => {
    const found = () => f.smtp.received.filter(matching);
    for (let i = 0; i < 100 && found().length < atLeast; i++) await sleep(100);
    return found();
  };

  return f;
}
