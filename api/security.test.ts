/**
 * Abuse and exposure, against the real app with real PostgreSQL and Temporal: who may read
 * /metrics and how far it can be inflated, which clients the login limits see and how far they
 * reach, and the headers that keep browsers and caches from leaking what the API answers.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { actor, bearer, createClinic, type Actor, PASSWORD, startTestApi, type TestApi } from '../test/support/api';
import { expectError } from '../test/support/errors';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

let api: TestApi;
let admin: Actor;
let clinicId: string;

before(async () => {
  api = await startTestApi({ METRICS_TOKEN, API_CORS_ORIGINS: 'https://staff.clinicflow.example' });
  clinicId = (await createClinic(api, { name: 'Security Clinic' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
});

after(async () => {
  await api.close();
});

describe('/metrics', () => {
  const scrape = () => api.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
  const seriesCount = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#')).length;

  test('answers only with METRICS_TOKEN', async () => {
    expectError(await api.http.get('/metrics'), 401, 'METRICS_TOKEN_REQUIRED');
    expectError(await api.http.get('/metrics').set('Authorization', 'Bearer not-the-metrics-token'), 401, 'METRICS_TOKEN_REQUIRED');
    // A staff member's access token is not a metrics token.
    expectError(await api.http.get('/metrics').set(bearer(admin)), 401, 'METRICS_TOKEN_REQUIRED');
    assert.match((await scrape()).text, /http_request_duration_seconds/);
  });

  test('is not served at all without METRICS_TOKEN', async () => {
    const bare = await startTestApi();
    try {
      expectError(await bare.http.get('/metrics'), 404, 'ROUTE_NOT_FOUND');
    } finally {
      await bare.close();
    }
  });

  test('keeps the same series under 1,000 made-up paths, ids and methods', async () => {
    const paths = (i: number) => [
      `/made/up/${randomUUID()}`,
      `/api/v1/patients/${randomUUID()}`,
      `/api/v1/clinics/${randomUUID()}/communication/email`,
      `/api/v1/clinics/${randomUUID()}/payment-reminders/runs`,
      `/api/v1/pay/${randomUUID()}.${i}`,
    ];
    // One round first: every series these requests can make exists afterwards.
    for (const path of paths(0)) await api.http.get(path).set(bearer(admin));
    await api.http.post(`/api/v1/nothing/${randomUUID()}`).send({});
    const baseline = seriesCount((await scrape()).text);
    for (let i = 1; i <= 200; i++) {
      await Promise.all(paths(i).map((path) => api.http.get(path).set(bearer(admin))));
    }
    await api.http.post(`/api/v1/nothing/${randomUUID()}`).send({});
    const text = (await scrape()).text;
    assert.equal(seriesCount(text), baseline, 'no series was added');
    assert.match(text, /route="\/api\/v1\/clinics\/:clinicId\/communication\/:channel"/);
    assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, 'no id in any label');
  });
});

describe('sign-in limits', () => {
  const login = (email: string, password: string, forwardedFor?: string) => {
    const req = api.http.post('/api/v1/auth/login');
    if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
    return req.send({ email, password });
  };

  test('by default X-Forwarded-For is not trusted: rotating it does not reset the per-account budget', async () => {
    const target = await actor(api, 'RECEPTIONIST', clinicId);
    // actor() signed in once: that attempt counts too.
    for (let i = 0; i < api.config.LOGIN_RATE_LIMIT_PER_15_MIN - 1; i++) expectError(await login(target.email, `wrong-${i}-password`, `203.0.113.${i + 1}`), 401, 'INVALID_CREDENTIALS');
    expectError(await login(target.email, PASSWORD, '198.51.100.77'), 429, 'RATE_LIMITED');
  });

  test('with TRUST_PROXY=1 the proxy-reported client is the one limited', async () => {
    const proxied = await startTestApi({ TRUST_PROXY: '1' });
    try {
      const c = await createClinic(proxied);
      const target = await actor(proxied, 'RECEPTIONIST', c.id);
      const limit = proxied.config.LOGIN_RATE_LIMIT_PER_15_MIN;
      const attempt = (password: string, ip: string) => proxied.http.post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: target.email, password });
      for (let i = 0; i < limit; i++) expectError(await attempt(`wrong-${i}-password`, '203.0.113.9'), 401, 'INVALID_CREDENTIALS');
      // The actor's own sign-in came from another (direct) client, so this one had its whole budget.
      expectError(await attempt(PASSWORD, '203.0.113.9'), 429, 'RATE_LIMITED');
      // Another client behind the same proxy still signs in.
      await attempt(PASSWORD, '198.51.100.20').expect(200);
    } finally {
      await proxied.close();
    }
  });

  test('failed logins across many emails from one client are limited (password spraying); successful ones do not count', async () => {
    const sprayed = await startTestApi({ LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '5' });
    try {
      const own = await actor(sprayed, 'NURSE', (await createClinic(sprayed)).id);
      const attempt = (email: string, password: string) => sprayed.http.post('/api/v1/auth/login').send({ email, password });
      for (let i = 0; i < 8; i++) await attempt(own.email, PASSWORD).expect(200);
      for (let i = 0; i < 5; i++) expectError(await attempt(`sprayed-${i}-${randomUUID()}@test.clinicflow`, 'Spring2026!spray'), 401, 'INVALID_CREDENTIALS');
      expectError(await attempt(`one-more-${randomUUID()}@test.clinicflow`, 'Spring2026!spray'), 429, 'RATE_LIMITED');
      // Whoever it is, this client is held back: also against an account it has not tried yet.
      expectError(await attempt(own.email, PASSWORD), 429, 'RATE_LIMITED');
    } finally {
      await sprayed.close();
    }
  });

  test('an unknown email takes as long to refuse as a wrong password for a real account', async () => {
    // The real cost of production hashes: at a low cost the difference would drown in noise.
    const costly = await startTestApi({ BCRYPT_COST: '12', LOGIN_RATE_LIMIT_PER_15_MIN: '100', LOGIN_FAILURES_PER_CLIENT_PER_15_MIN: '100' });
    try {
      const c = await createClinic(costly);
      const email = `timed-${randomUUID()}@test.clinicflow`;
      await costly.db.prisma.staffUser.create({ data: { email, role: 'MANAGER', clinicId: c.id, firstName: 'Timed', lastName: 'Login', passwordHash: await bcrypt.hash(PASSWORD, 12) } });
      const timed = async (address: string) => {
        const started = process.hrtime.bigint();
        expectError(await costly.http.post('/api/v1/auth/login').send({ email: address, password: 'a-wrong-password-here' }), 401, 'INVALID_CREDENTIALS');
        return Number(process.hrtime.bigint() - started) / 1e6;
      };
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        known.push(await timed(email));
        unknown.push(await timed(`nobody-${randomUUID()}@test.clinicflow`));
      }
      const ratio = median(unknown) / median(known);
      assert.ok(ratio > 0.6 && ratio < 1.6, `unknown ${median(unknown).toFixed(0)} ms vs known ${median(known).toFixed(0)} ms`);
    } finally {
      await costly.close();
    }
  });
});

describe('HTTP protections', () => {
  test("helmet's headers are on every answer, with a CSP that serves /docs from the API itself", async () => {
    for (const path of ['/healthz', '/api/v1/openapi.json', '/docs/']) {
      const res = await api.http.get(path).expect(200);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN', path);
      assert.match(res.headers['strict-transport-security'] ?? '', /max-age=\d+/, path);
      const csp = res.headers['content-security-policy'] ?? '';
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, path);
      assert.match(csp, /frame-ancestors 'self'/, path);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, path);
    }
    // Everything the docs page loads comes from the API, and it has no inline script the CSP would block.
    const page = (await api.http.get('/docs/').expect(200)).text;
    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 3);
    for (const [, attrs, body] of scripts) {
      const src = /src="([^"]+)"/.exec(attrs ?? '')?.[1];
      assert.ok(src && !/^(https?:)?\/\//.test(src), `external or inline script: ${attrs}`);
      assert.equal(body?.trim(), '');
      await api.http.get(new URL(src, 'http://x/docs/').pathname).expect(200);
    }
  });

  test('authenticated answers, their errors and pay links are never stored by caches', async () => {
    const patient = await api.http.post('/api/v1/patients').set(bearer(admin)).send({ firstName: 'Cache', lastName: 'Control' }).expect(201);
    const read = await api.http.get(`/api/v1/patients/${(patient.body as { id: string }).id}`).set(bearer(admin)).expect(200);
    assert.equal(read.headers['cache-control'], 'no-store');
    assert.equal(patient.headers['cache-control'], 'no-store');
    assert.equal((await api.http.get(`/api/v1/patients/${randomUUID()}`).set(bearer(admin)).expect(404)).headers['cache-control'], 'no-store');
    assert.equal((await api.http.get('/api/v1/patients').expect(401)).headers['cache-control'], 'no-store');
    assert.equal((await api.http.get(`/api/v1/pay/${randomUUID()}.abc`)).headers['cache-control'], 'no-store');
  });

  test('CORS: only API_CORS_ORIGINS may call the API from a browser, with the headers it reads', async () => {
    const allowed = 'https://staff.clinicflow.example';
    const preflight = await api.http
      .options('/api/v1/patients')
      .set('Origin', allowed)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], allowed);
    assert.match(preflight.headers['access-control-allow-headers'] ?? '', /Authorization.*Content-Type.*Idempotency-Key/);
    assert.equal(preflight.headers['access-control-allow-credentials'], undefined);
    const get = await api.http.get('/api/v1/patients').set('Origin', allowed).set(bearer(admin)).expect(200);
    assert.equal(get.headers['access-control-allow-origin'], allowed);
    assert.match(get.headers['access-control-expose-headers'] ?? '', /X-Request-Id/);

    for (const origin of ['https://evil.example', 'https://staff.clinicflow.example.evil.example', 'null']) {
      const other = await api.http.options('/api/v1/patients').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
      assert.equal(other.headers['access-control-allow-origin'], undefined, origin);
      const read = await api.http.get('/api/v1/patients').set('Origin', origin).set(bearer(admin));
      assert.equal(read.headers['access-control-allow-origin'], undefined, origin);
    }
  });
});
