/**
 * A clinic's only SMTP server goes down: on Temporal's time-skipping server, with the real delivery
 * activities over PostgreSQL and nodemailer against a real SMTP server on a fixed port, stopped
 * for two minutes of Temporal time and started again on the same port. Nothing is lost and nothing
 * arrives twice (the entry's circuit opens on the way: messages wait for its cooldown, none fails);
 * an appointment reminder whose visit starts during the outage expires instead.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { Client } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities } from '../activities';
import { ProviderClientCache } from '../activities/messaging/provider-clients';
import { messageDeliveryStart, TASK_QUEUES, workflowIds } from '../domain/temporal';
import { sealProvider } from '../prisma/communication-config';
import { CredentialCipher } from '../prisma/credential-cipher';
import { type Prisma } from '../prisma/generated/client';
import { messageDeliveryWorkflow } from '../workflows/messaging/message-delivery';
import { type SmtpPeer, startSmtpPeer } from './fakes/smtp-peer';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/eventually';
import { freePort } from '../scripts/stack/ports';
import { bundleWorkflows, createTimeSkippingEnv } from './support/temporal';

const ACCOUNT = { username: 'desk', password: 'smtp-password-0123' };
const MINUTE = 60_000;

let db: TestDatabase;
let bundle: WorkflowBundleWithSourceMap;
let cipher: CredentialCipher;
let port: number;
let clinicId: string;
let env: TestWorkflowEnvironment;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const clients = new ProviderClientCache();
/** Every SMTP server started on the port in this test, in order: what any of them received counts. */
let servers: SmtpPeer[] = [];

const received = () => servers.flatMap((s) => s.received);
const smtpUp = async () => void servers.push(await startSmtpPeer({ ...ACCOUNT, port }));

before(async () => {
  [db, bundle, port] = await Promise.all([createTestDatabase(), bundleWorkflows(), freePort()]);
  cipher = new CredentialCipher(new Map([['k', randomBytes(32).toString('base64')]]), 'k');
  clinicId = (await db.prisma.clinic.create({ data: { name: 'Harbour Physio', timezone: 'Europe/London', licenseTierCode: 'M' } })).id;
  const entry = sealProvider(cipher, { clinicId, channel: 'email' }, { id: 'harbour-smtp', label: 'Harbour mail server', provider: 'smtp' }, { host: '127.0.0.1', port, secure: false, ...ACCOUNT, fromAddress: 'desk@harbour.test' }, ['password']);
  // One try per run: the pauses between runs carry the outage, not the activity's own retries.
  await db.prisma.communicationConfig.create({ data: { clinicId, channel: 'email', providers: [entry] as Prisma.InputJsonValue, settings: { retryAttempts: 1, fallbackToGlobal: false } } });
});
after(async () => {
  await clients.closeAll();
  await db?.drop();
});

beforeEach(async () => {
  // A fresh server per test: the test server's clock jumps far ahead once its workflows are done.
  env = await createTimeSkippingEnv();
  client = new Client({ connection: env.connection, namespace: env.namespace });
  const activities = createActivities({ prisma: db.prisma, cipher, clients, endpoints: {}, globalConfig: {}, temporal: client, payLinks: { baseUrl: 'https://pay.test', secret: 'pay-link-secret-for-the-outage-test-0123' } });
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUES.operations, workflowBundle: bundle, activities });
  running = worker.run();
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await db.prisma.providerCircuit.deleteMany({ where: { clinicId } });
  worker.shutdown();
  await running;
  await env.teardown();
});

async function message(email: string, expiresAt: Date) {
  const id = randomUUID();
  await db.prisma.message.create({
    data: { id, clinicId, category: 'manual', channels: ['email'], recipient: { email }, subject: 'Your visit', body: 'See you soon', workflowId: workflowIds.messageDelivery(clinicId, id), expiresAt },
  });
  return id;
}
const start = (id: string) => client.workflow.start(messageDeliveryWorkflow, messageDeliveryStart(clinicId, id));

test('the SMTP server down for two minutes: every message sent meanwhile waits (RETRYING), then arrives exactly once', async () => {
  const now = (await env.currentTimeMs()) as number;
  const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => message(`patient${i}@harbour.test`, new Date(now + 72 * 60 * MINUTE))));
  const handles = await Promise.all(ids.map(start));

  // The server is down from the start: each message's first run fails and it waits, RETRYING with its next try.
  await eventually('every message to be RETRYING', async () => (await db.prisma.message.count({ where: { id: { in: ids }, status: 'RETRYING', nextAttemptAt: { not: null } } })) === ids.length);
  assert.equal(received().length, 0);
  await env.sleep(2 * MINUTE);
  await smtpUp();

  // env.client skips Temporal's clock ahead while it waits: the next runs find the server back.
  // One wait at a time. Each wait unlocks the test server's clock and locks it again after; with
  // five waits at once the clock sometimes ran past a workflow task the worker was still completing
  // (its local activity writing the outcome), so the task timed out, and the workflow ten years on.
  const results = [];
  for (const h of handles) results.push(await env.client.workflow.getHandle<typeof messageDeliveryWorkflow>(h.workflowId).result());
  assert.deepEqual(results.map((r) => r.status), Array(5).fill('DELIVERED'), 'none FAILED');
  // Five failed runs opened the entry's circuit: the later runs were held back without a try until its cooldown ended.
  assert.ok(results.every((r) => r.failures.some((f) => f.kind === 'CIRCUIT_OPEN')), 'held back by the open circuit, not dropped');
  for (let i = 0; i < ids.length; i++) {
    assert.equal(received().filter((m) => m.envelope.to.includes(`patient${i}@harbour.test`)).length, 1, `patient ${i} got it once`);
  }
  const rows = await db.prisma.message.findMany({ where: { id: { in: ids } }, include: { attempts: { orderBy: [{ round: 'asc' }, { attemptNumber: 'asc' }] } } });
  for (const row of rows) {
    assert.deepEqual([row.status, row.nextAttemptAt, row.providerEntryId], ['DELIVERED', null, 'harbour-smtp']);
    const outcomes = row.attempts.map((a) => a.outcome);
    assert.equal(outcomes.at(-1), 'ACCEPTED');
    assert.ok(outcomes.length >= 2 && outcomes.slice(0, -1).every((o) => o === 'FAILED'), `failed runs before the one that delivered: ${outcomes.join(',')}`);
    assert.ok(row.attempts.every((a) => a.providerLabel === 'Harbour mail server'), 'the log names the entry');
    // The pauses, in the log (on Temporal's clock): the delivering run came after the two minutes of outage.
    const starts = row.attempts.map((a) => a.startedAt.getTime());
    assert.ok(starts.at(-1)! - starts[0]! >= 2 * MINUTE, `runs at +${starts.map((t) => Math.round((t - starts[0]!) / 1000)).join('s, +')}s`);
    const rounds = row.attempts.map((a) => a.round);
    assert.ok(rounds.every((r, i) => i === 0 || r > rounds[i - 1]!), `one try per run, a new run each time: ${rounds.join(',')}`);
  }
});

test('a reminder whose visit starts before the server is back is EXPIRED at the start time and never delivered afterwards', async () => {
  const now = (await env.currentTimeMs()) as number;
  const visitStarts = new Date(now + 20 * MINUTE);
  const id = await message('late@harbour.test', visitStarts);
  const handle = await start(id);
  await eventually('the reminder to be RETRYING', async () => (await db.prisma.message.findUniqueOrThrow({ where: { id } })).status === 'RETRYING');

  const result = await env.client.workflow.getHandle<typeof messageDeliveryWorkflow>(handle.workflowId).result();
  assert.equal(result.status, 'EXPIRED');
  // The server comes back after the visit started: nothing is sent late.
  await smtpUp();
  const row = await db.prisma.message.findUniqueOrThrow({ where: { id }, include: { attempts: true } });
  assert.deepEqual([row.status, row.nextAttemptAt, row.deliveredAt], ['EXPIRED', null, null]);
  assert.ok(row.attempts.every((a) => a.startedAt < visitStarts && a.outcome === 'FAILED'), 'every try was before the visit');
  assert.equal(received().length, 0);
});
