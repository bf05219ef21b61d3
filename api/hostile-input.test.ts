/**
 * Malformed requests a careless or hostile client sends, against the real app with real
 * PostgreSQL and Temporal: each answers 4xx in the error envelope, never 500. NUL characters and
 * lone surrogates reach no column (PostgreSQL refuses both), undecodable paths and bodies are
 * refused before any route, and a body nested thousands deep is refused before anything walks it.
 */
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { actor, bearer, createClinic, type Actor, startTestApi, type TestApi } from '../test/support/api';
import { detailPaths, expectError } from '../test/support/errors';

let api: TestApi;
let admin: Actor;
let clinicId: string;

before(async () => {
  api = await startTestApi();
  clinicId = (await createClinic(api, { name: 'Hostile Input Clinic' })).id;
  admin = await actor(api, 'CLINIC_ADMIN', clinicId);
});

after(async () => {
  await api.close();
});

/** Nothing a test sent may have left a server error in the access log. */
function assertNoServerErrorLogged() {
  const errors = api
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { res?: { statusCode?: number }; msg?: string })
    .filter((l) => (l.res?.statusCode ?? 0) >= 500 || l.msg === 'unhandled error');
  assert.deepEqual(errors, []);
}

describe('bad percent-encoding in a path parameter', () => {
  test('answers 400 INVALID_PATH_ENCODING on authenticated, public and webhook routes', async () => {
    expectError(await api.http.get('/api/v1/patients/%ff').set(bearer(admin)), 400, 'INVALID_PATH_ENCODING');
    expectError(await api.http.get(`/api/v1/clinics/${clinicId}/communication/%E0%A4%A`).set(bearer(admin)), 400, 'INVALID_PATH_ENCODING');
    expectError(await api.http.get('/api/v1/pay/%ff%fe%fd%fc%fb%fa'), 400, 'INVALID_PATH_ENCODING');
    expectError(await api.http.post('/api/v1/webhooks/twilio/%c0').type('form').send('MessageStatus=delivered'), 400, 'INVALID_PATH_ENCODING');
    assertNoServerErrorLogged();
  });
});

describe('a compressed body that does not decompress', () => {
  // superagent would serialise a Buffer sent as application/json to JSON: send the bytes as they are.
  const asIs = (body: unknown) => body as string;

  test('answers 400 INVALID_BODY_ENCODING, before sign-in and after', async () => {
    const corrupt = gzipSync(JSON.stringify({ email: 'someone@test.clinicflow', password: 'x'.repeat(20) })).subarray(0, 20);
    const login = await api.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(asIs).send(corrupt);
    expectError(login, 400, 'INVALID_BODY_ENCODING');
    const garbage = Buffer.from('this is not gzip at all');
    const patient = await api.http.post('/api/v1/patients').set(bearer(admin)).set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(asIs).send(garbage);
    expectError(patient, 400, 'INVALID_BODY_ENCODING');
    // A well-formed gzip body still works.
    const ok = await api.http
      .post('/api/v1/patients')
      .set(bearer(admin))
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(gzipSync(JSON.stringify({ firstName: 'Gzip', lastName: 'Patient' })));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assertNoServerErrorLogged();
  });
});

describe('NUL characters', () => {
  test('in a body field answer 400 with the field path, and nothing is stored', async () => {
    const res = await api.http.post('/api/v1/patients').set(bearer(admin)).send({ firstName: 'Nul\u0000Byte', lastName: 'Patient', guardian: { name: 'G', relationship: 'mo\u0000ther' } });
    const error = expectError(res, 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(error), ['body.firstName', 'body.guardian.relationship']);
    assert.match(JSON.stringify(error.details), /NUL/);
    assert.equal(await api.db.prisma.patient.count({ where: { clinicId, lastName: 'Patient', firstName: { startsWith: 'Nul' } } }), 0);
  });

  test('in a query answer 400 with the parameter', async () => {
    const error = expectError(await api.http.get('/api/v1/patients?q=a%00b').set(bearer(admin)), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(error), ['query.q']);
  });

  test('in a path parameter answer 400 with the parameter', async () => {
    const error = expectError(await api.http.get('/api/v1/pay/abcdefghij%00klmnop'), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(error), ['params.token']);
  });

  test('in free-form JSON settings answer 400 with the path inside them', async () => {
    const res = await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { branding: { tagline: ['ok', 'bad\u0000'] } } });
    assert.deepEqual(detailPaths(expectError(res, 400, 'VALIDATION_ERROR')), ['body.settings.branding.tagline.1']);
    assertNoServerErrorLogged();
  });
});

describe('lone surrogates', () => {
  test('in a field stored as JSON answer 400 with the path, and the clinic is unchanged', async () => {
    // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
    const res = await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { branding: { tagline: 'x\ud800y' } } });
    assert.deepEqual(detailPaths(expectError(res, 400, 'VALIDATION_ERROR')), ['body.settings.branding.tagline']);
    const key = await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { branding: { ['\udc00']: 'x' } } });
    assert.deepEqual(detailPaths(expectError(key, 400, 'VALIDATION_ERROR')), ['body.settings.branding.\udc00']);
    const clinic = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } });
    assert.equal((clinic.settings as Record<string, unknown>).branding, undefined);
  });

  test('in a text field answer 400, while a real surrogate pair (an emoji) is stored as sent', async () => {
    const bad = await api.http.post('/api/v1/patients').set(bearer(admin)).send({ firstName: '\udfff', lastName: 'Surrogate' });
    assert.deepEqual(detailPaths(expectError(bad, 400, 'VALIDATION_ERROR')), ['body.firstName']);
    const good = await api.http.post('/api/v1/patients').set(bearer(admin)).send({ firstName: 'Smile \ud83d\ude00', lastName: 'Surrogate' }).expect(201);
    const stored = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: (good.body as { id: string }).id } });
    assert.equal(stored.firstName, 'Smile 😀');
    assertNoServerErrorLogged();
  });
});

describe('deeply nested JSON', () => {
  const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

  test('5,000 levels answer 400 JSON_TOO_DEEP on any route, signed in or not', async () => {
    const login = await api.http.post('/api/v1/auth/login').set('Content-Type', 'application/json').send(`{"email":"a@b.co","password":${nested(5000)}}`);
    expectError(login, 400, 'JSON_TOO_DEEP');
    const settings = await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).set('Content-Type', 'application/json').send(`{"settings":{"deep":${nested(5000)}}}`);
    expectError(settings, 400, 'JSON_TOO_DEEP');
    assertNoServerErrorLogged();
  });

  test('settings deeper than their own limit answer 400 with the path; shallow ones are stored', async () => {
    const deep = await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).set('Content-Type', 'application/json').send(`{"settings":{"deep":${nested(20)}}}`);
    const error = expectError(deep, 400, 'VALIDATION_ERROR');
    assert.match(detailPaths(error)[0]!, /^body\.settings\.deep(\.0)+$/);
    const big = await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { notes: 'x'.repeat(20_000) } });
    assert.deepEqual(detailPaths(expectError(big, 400, 'VALIDATION_ERROR')), ['body.settings.notes']);
    await api.http.patch(`/api/v1/clinics/${clinicId}`).set(bearer(admin)).send({ settings: { branding: { colours: [['#fff']] } } }).expect(200);
    const clinic = await api.db.prisma.clinic.findUniqueOrThrow({ where: { id: clinicId } });
    assert.deepEqual((clinic.settings as Record<string, unknown>).branding, { colours: [['#fff']] });
  });
});
