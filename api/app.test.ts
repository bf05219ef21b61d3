/**
 * The app's plumbing, against real PostgreSQL and Temporal: health and readiness, metrics,
 * request ids, the error envelope for unknown routes and bad JSON, and the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { createPrismaClient } from '../prisma/client';
import { actor, bearer, createClinic, type Actor, startTestApi, type TestApi } from '../test/support/api';
import { createApp } from './app';

const METRICS_TOKEN = 'app-test-metrics-token-0123456789';

let api: TestApi;
let admin: Actor;

before(async () => {
  api = await startTestApi({ METRICS_TOKEN });
  const clinic = await createClinic(api, { name: 'App Test Clinic' });
  admin = await actor(api, 'CLINIC_ADMIN', clinic.id);
});

after(async () => {
  await api.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Envelope {
  success: false;
  error: { code: string; message: string; details?: unknown; timestamp: string; path: string };
}

function assertEnvelope(body: unknown, code: string, path: string): Envelope['error'] {
  const env = body as Envelope;
  assert.equal(env.success, false);
  assert.equal(env.error.code, code);
  assert.equal(typeof env.error.message, 'string');
  assert.ok(env.error.message.length > 0);
  assert.equal(env.error.path, path);
  assert.ok(!Number.isNaN(Date.parse(env.error.timestamp)), `timestamp ${env.error.timestamp}`);
  assert.doesNotMatch(JSON.stringify(body), /\bat .+\.(ts|js):\d+/, 'no stack trace');
  return env.error;
}

describe('health', () => {
  test('/healthz answers 200 {status: ok}', async () => {
    const res = await api.http.get('/healthz').expect(200).expect('content-type', /json/);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  test('/readyz answers 200 when PostgreSQL and Temporal are up', async () => {
    const res = await api.http.get('/readyz').expect(200);
    assert.deepEqual(res.body, { status: 'ready', checks: { database: 'up', temporal: 'up' } });
  });

  /** An app whose Temporal connection goes to `address`; gRPC retries are off so nothing outlives the test. */
  async function readyzWithTemporalAt(address: string) {
    const connection = Connection.lazy({ address, interceptors: [] });
    const client = new Client({ connection });
    const app = createApp({ config: api.config, prisma: api.db.prisma, temporal: { client, connection }, logger: pino({ level: 'silent' }), metrics: new Registry() });
    try {
      const started = Date.now();
      const res = await supertest(app).get('/readyz');
      const elapsed = Date.now() - started;
      // Liveness does not depend on Temporal.
      await supertest(app).get('/healthz').expect(200);
      return { res, elapsed };
    } finally {
      await connection.close().catch(() => undefined);
    }
  }

  test('/readyz answers 503 NOT_READY naming Temporal when nothing listens at its address', async () => {
    // Port 1 on loopback: the connection is refused.
    const { res } = await readyzWithTemporalAt('127.0.0.1:1');
    assert.equal(res.status, 503);
    const error = assertEnvelope(res.body, 'NOT_READY', '/readyz');
    assert.deepEqual(error.details, { database: 'up', temporal: 'down' });
  });

  test('/readyz answers 503 within its timeout when Temporal accepts the connection but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const { res, elapsed } = await readyzWithTemporalAt(`127.0.0.1:${port}`);
      assert.equal(res.status, 503);
      assert.deepEqual(assertEnvelope(res.body, 'NOT_READY', '/readyz').details, { database: 'up', temporal: 'down' });
      assert.ok(elapsed >= 1500 && elapsed < 6000, `answered after ${elapsed} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('/readyz answers 503 naming the database when PostgreSQL cannot be reached', async () => {
    const prisma = createPrismaClient('postgresql://nobody:nothing@127.0.0.1:1/nothing', { max: 1 });
    const app = createApp({ config: api.config, prisma, temporal: api.temporal, logger: pino({ level: 'silent' }), metrics: new Registry() });
    try {
      const res = await supertest(app).get('/readyz').expect(503);
      const error = assertEnvelope(res.body, 'NOT_READY', '/readyz');
      assert.deepEqual(error.details, { database: 'down', temporal: 'up' });
      // The answer says which dependency is down, not why (no connection strings, no driver errors).
      assert.doesNotMatch(JSON.stringify(res.body), /nobody|nothing|ECONNREFUSED|127\.0\.0\.1:1/);
    } finally {
      await prisma.$disconnect();
    }
  });
});

describe('metrics', () => {
  test('/metrics labels HTTP latency by route template, never by raw id', async () => {
    const patient = await api.db.prisma.patient.create({ data: { clinicId: admin.clinicId!, firstName: 'Metric', lastName: 'Patient', barcode: 'METRIC-1' } });
    const missing = randomUUID();
    await api.http.get(`/api/v1/patients/${patient.id}`).set(bearer(admin)).expect(200);
    await api.http.get(`/api/v1/patients/${missing}`).set(bearer(admin)).expect(404);
    await api.http.get(`/api/v1/staff/${missing}`).set(bearer(admin)).expect(404);
    await api.http.get(`/no/such/route/${missing}`).expect(404);

    const res = await api.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    const text = res.text;
    assert.match(text, /# TYPE http_request_duration_seconds histogram/);
    const series = (route: string, status: number) =>
      new RegExp(`http_request_duration_seconds_count\\{[^}]*method="GET"[^}]*route="${route.replace(/[/.]/g, '\\$&')}"[^}]*status_code="${status}"[^}]*\\} [1-9]`);
    assert.match(text, series('/api/v1/patients/:id', 200));
    // Errors thrown by a handler are labelled with the route too, not lumped together or by URL.
    assert.match(text, series('/api/v1/patients/:id', 404));
    assert.match(text, series('/api/v1/staff/:id', 404));
    assert.match(text, series('unmatched', 404));
    for (const id of [patient.id, missing]) assert.equal(text.includes(id), false, `metrics contain the raw id ${id}`);
    assert.equal(text.includes('/no/such/route'), false);
  });
});

describe('request ids', () => {
  test('a sane X-Request-Id is echoed back', async () => {
    const res = await api.http.get('/healthz').set('X-Request-Id', 'trace-abc.123_XYZ').expect(200);
    assert.equal(res.headers['x-request-id'], 'trace-abc.123_XYZ');
  });

  test('a missing, too short, too long or unsafe X-Request-Id is replaced by a new UUID', async () => {
    const none = await api.http.get('/healthz').expect(200);
    assert.match(String(none.headers['x-request-id']), UUID);
    for (const bad of ['short', 'x'.repeat(129), 'has spaces in it', 'inject\\"quote"', '<script>alert(1)</script>']) {
      const res = await api.http.get('/healthz').set('X-Request-Id', bad).expect(200);
      const echoed = String(res.headers['x-request-id']);
      assert.notEqual(echoed, bad);
      assert.match(echoed, UUID);
    }
    const a = await api.http.get('/healthz').expect(200);
    assert.notEqual(a.headers['x-request-id'], none.headers['x-request-id']);
  });

  test('the request id is on error answers too and reaches the audit trail', async () => {
    const res = await api.http.get('/nowhere').set('X-Request-Id', 'err-request-0001').expect(404);
    assert.equal(res.headers['x-request-id'], 'err-request-0001');
    const created = await api.http
      .post('/api/v1/patients')
      .set(bearer(admin))
      .set('X-Request-Id', 'audit-request-0001')
      .send({ firstName: 'Request', lastName: 'Id' })
      .expect(201);
    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { entityId: (created.body as { id: string }).id } });
    assert.equal(audit.requestId, 'audit-request-0001');
  });
});

describe('error envelope', () => {
  test('an unknown route answers 404 ROUTE_NOT_FOUND in the envelope', async () => {
    const res = await api.http.get('/api/v1/no-such-thing?x=1').expect(404).expect('content-type', /json/);
    assertEnvelope(res.body, 'ROUTE_NOT_FOUND', '/api/v1/no-such-thing');
    const post = await api.http.post('/api/v1/patients/extra/segments').set(bearer(admin)).send({}).expect(404);
    assertEnvelope(post.body, 'ROUTE_NOT_FOUND', '/api/v1/patients/extra/segments');
  });

  test('a malformed JSON body answers 400 INVALID_JSON, never 500', async () => {
    for (const [path, headers] of [
      ['/api/v1/auth/login', {}],
      ['/api/v1/patients', bearer(admin)],
      ['/codec/decode', {}],
    ] as const) {
      const res = await api.http.post(path).set(headers).set('Content-Type', 'application/json').send('{"email": "a@b.c", ').expect(400);
      assertEnvelope(res.body, 'INVALID_JSON', path);
    }
  });

  test('a body over the size limit answers 413 in the envelope', async () => {
    const huge = JSON.stringify({ firstName: 'x'.repeat(1_100_000) });
    const res = await api.http.post('/api/v1/patients').set(bearer(admin)).set('Content-Type', 'application/json').send(huge).expect(413);
    assertEnvelope(res.body, 'PAYLOAD_TOO_LARGE', '/api/v1/patients');
  });

  test('invalid input answers 400 VALIDATION_ERROR with field paths', async () => {
    const res = await api.http.post('/api/v1/patients').set(bearer(admin)).send({ firstName: '', email: 'not-an-email' }).expect(400);
    const error = assertEnvelope(res.body, 'VALIDATION_ERROR', '/api/v1/patients');
    const paths = (error.details as { path: string }[]).map((d) => d.path);
    assert.ok(paths.includes('body.firstName'), paths.join());
    assert.ok(paths.includes('body.lastName'), paths.join());
    assert.ok(paths.includes('body.email'), paths.join());
    const badId = await api.http.get('/api/v1/patients/not-a-uuid').set(bearer(admin)).expect(400);
    assert.deepEqual(
      (assertEnvelope(badId.body, 'VALIDATION_ERROR', '/api/v1/patients/not-a-uuid').details as { path: string }[]).map((d) => d.path),
      ['params.id'],
    );
  });

  test('no token answers 401 and a garbage token answers 401 in the envelope', async () => {
    assertEnvelope((await api.http.get('/api/v1/patients').expect(401)).body, 'UNAUTHORIZED', '/api/v1/patients');
    assertEnvelope((await api.http.get('/api/v1/patients').set('Authorization', 'Bearer nonsense').expect(401)).body, 'INVALID_TOKEN', '/api/v1/patients');
  });

  test('the X-Powered-By header is not sent', async () => {
    const res = await api.http.get('/healthz').expect(200);
    assert.equal(res.headers['x-powered-by'], undefined);
  });
});

describe('OpenAPI', () => {
  interface OpenApiDoc {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { requestBody?: { required?: boolean; content: Record<string, { schema: { $ref?: string } }> }; security?: unknown[]; parameters?: { name: string; in: string }[]; responses: Record<string, unknown> }>>;
    components: { securitySchemes: Record<string, { type: string; scheme: string; bearerFormat?: string }>; schemas: Record<string, { type?: string; properties?: Record<string, unknown>; required?: string[] }> };
  }

  let doc: OpenApiDoc;
  before(async () => {
    const res = await api.http.get('/api/v1/openapi.json').expect(200).expect('content-type', /json/);
    doc = res.body as OpenApiDoc;
  });

  const schemaOf = (ref: string | undefined) => {
    assert.ok(ref, 'request body schema is a $ref');
    const name = ref.replace('#/components/schemas/', '');
    const schema = doc.components.schemas[name];
    assert.ok(schema, `component ${name} exists`);
    return schema;
  };

  test('is OpenAPI 3.1.0 with the bearerAuth security scheme', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.title, 'ClinicFlow API');
    assert.deepEqual(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    assert.ok(doc.components.schemas.ErrorEnvelope, 'the error envelope is documented');
  });

  test('documents the main paths with their methods', () => {
    const expected: Record<string, string[]> = {
      '/api/v1/auth/login': ['post'],
      '/api/v1/auth/refresh': ['post'],
      '/api/v1/clinics': ['get', 'post'],
      '/api/v1/clinics/{clinicId}': ['get', 'patch'],
      '/api/v1/staff': ['get', 'post'],
      '/api/v1/staff/{id}': ['delete', 'get', 'patch'],
      '/api/v1/patients': ['get', 'post'],
      '/api/v1/patients/{id}': ['get', 'patch'],
      '/api/v1/licensing/check': ['post'],
      '/api/v1/licensing/current': ['get'],
      '/api/v1/codec/sessions': ['post'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      const item = doc.paths[path];
      assert.ok(item, `${path} is documented`);
      for (const m of methods) assert.ok(item[m], `${m.toUpperCase()} ${path} is documented`);
    }
    // Path parameters appear as {name} and are declared as parameters.
    const params = doc.paths['/api/v1/patients/{id}']!.get!.parameters ?? [];
    assert.ok(params.some((p) => p.name === 'id' && p.in === 'path'));
  });

  test('request bodies carry their schemas', () => {
    const body = (path: string, method: string) => {
      const rb = doc.paths[path]?.[method]?.requestBody;
      assert.ok(rb, `${method.toUpperCase()} ${path} has a request body`);
      assert.equal(rb.required, true);
      return schemaOf(rb.content['application/json']?.schema.$ref);
    };
    const login = body('/api/v1/auth/login', 'post');
    assert.deepEqual(Object.keys(login.properties ?? {}).sort(), ['email', 'password']);
    assert.deepEqual([...(login.required ?? [])].sort(), ['email', 'password']);
    const clinic = body('/api/v1/clinics', 'post');
    for (const f of ['name', 'timezone', 'licenseTier', 'admin']) assert.ok(clinic.properties?.[f], `CreateClinicRequest.${f}`);
    const staff = body('/api/v1/staff', 'post');
    for (const f of ['email', 'password', 'firstName', 'lastName', 'role']) assert.ok(staff.required?.includes(f), `CreateStaffRequest requires ${f}`);
    const patient = body('/api/v1/patients', 'post');
    for (const f of ['firstName', 'lastName']) assert.ok(patient.required?.includes(f), `CreatePatientRequest requires ${f}`);
    assert.ok(patient.properties?.guardian);
    body('/api/v1/patients/{id}', 'patch');
    body('/api/v1/staff/{id}', 'patch');
  });

  test('public routes need no token and the others name bearerAuth', () => {
    assert.deepEqual(doc.paths['/api/v1/auth/login']!.post!.security, []);
    for (const [path, method] of [
      ['/api/v1/patients', 'get'],
      ['/api/v1/licensing/check', 'post'],
      ['/api/v1/codec/sessions', 'post'],
    ] as const) {
      assert.deepEqual(doc.paths[path]![method]!.security, [{ bearerAuth: [] }], `${method} ${path}`);
    }
    assert.ok(doc.paths['/api/v1/codec/sessions']!.post!.responses['201']);
    assert.ok(doc.paths['/api/v1/licensing/check']!.post!.responses['202']);
  });

  test('/docs/ serves the Swagger UI page', async () => {
    const res = await api.http.get('/docs/').expect(200).expect('content-type', /text\/html/);
    assert.match(res.text, /swagger-ui/i);
    assert.match(res.text, /ClinicFlow API/);
    // Its assets are served too.
    await api.http.get('/docs/swagger-ui-init.js').expect(200);
  });
});
