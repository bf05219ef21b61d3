/** The real API app over a fresh database and the real Temporal dev server, for supertest. */
import { Writable } from 'node:stream';
import { type ClientInterceptors } from '@temporalio/client';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import bcrypt from 'bcryptjs';
import { type Express } from 'express';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import { stopAppointmentWorkflowStarts } from '../../api/services/appointment-workflow-starts';
import { type ApiDeps } from '../../api/deps';
import { type Config } from '../../domain/config';
import { type Role } from '../../domain/roles';
import { connectTemporalClient } from '../../temporal-config/client';
import { testConfig } from './config';
import { createTestDatabase, type TestDatabase } from './database';
import { devServerAddress } from './temporal';

export interface TestApi {
  config: Config;
  db: TestDatabase;
  /** The app itself, for a test that needs it on a real port (e.g. a fuzzer in another process). */
  app: Express;
  http: ReturnType<typeof supertest>;
  /** The API's Prometheus registry (what /metrics serves). */
  metrics: Registry;
  temporal: Awaited<ReturnType<typeof connectTemporalClient>>;
  /** Everything the API logged, as written. */
  logs: () => string;
  close(): Promise<void>;
}

export const PASSWORD = 'correct-horse-battery-staple';

/** `clientInterceptors`: e.g. tracing's, as api/server.ts adds them when traces are exported. */
/** `deps`: parts of the API's dependencies a test replaces (its clock, its file storage). */
export async function startTestApi(
  overrides: Record<string, string> = {},
  { clientInterceptors, deps }: { clientInterceptors?: ClientInterceptors; deps?: Pick<ApiDeps, 'now' | 'files'> } = {},
): Promise<TestApi> {
  const config = testConfig({ BCRYPT_COST: '4', LOG_LEVEL: 'info', ...overrides });
  const db = await createTestDatabase();
  const temporal = await connectTemporalClient({
    address: devServerAddress(),
    namespace: config.TEMPORAL_NAMESPACE,
    keys: config.PAYLOAD_ENCRYPTION_KEYS,
    currentKeyId: config.PAYLOAD_ENCRYPTION_KEY_ID,
    interceptors: clientInterceptors,
  });
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logged += chunk.toString();
      done();
    },
  });
  const metrics = new Registry();
  const appDeps = { config, prisma: db.prisma, temporal, logger: pino({ level: 'info' }, sink), metrics, ...deps };
  const app = createApp(appDeps);
  return {
    config,
    metrics,
    db,
    app,
    http: supertest(app),
    temporal,
    logs: () => logged,
    async close() {
      // As api/server.ts does: background workflow starts end before their connection closes.
      await stopAppointmentWorkflowStarts(appDeps, 10_000);
      await temporal.connection.close();
      await db.drop();
    },
  };
}

export interface Actor {
  id: string;
  email: string;
  token: string;
  clinicId: string | null;
}

/** Creates a staff account directly in the database and signs it in through the API. */
export async function actor(api: TestApi, role: Role, clinicId: string | null, email = `${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@test.clinicflow`): Promise<Actor> {
  const user = await api.db.prisma.staffUser.create({
    data: { email, role, clinicId, firstName: role, lastName: 'Tester', passwordHash: await bcrypt.hash(PASSWORD, 4) },
  });
  const res = await api.http.post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
  return { id: user.id, email, token: (res.body as { accessToken: string }).accessToken, clinicId };
}

export async function createClinic(api: TestApi, opts: { name?: string; tier?: string; timezone?: string; status?: 'ACTIVE' | 'SUSPENDED' | 'CANCELLED' } = {}) {
  return api.db.prisma.clinic.create({
    data: { name: opts.name ?? 'Test Clinic', timezone: opts.timezone ?? 'Europe/London', licenseTierCode: opts.tier ?? 'S', subscriptionStatus: opts.status ?? 'ACTIVE' },
  });
}

export const bearer = (a: Actor) => ({ Authorization: `Bearer ${a.token}` });
