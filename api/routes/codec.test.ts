/**
 * The codec server the Temporal Web UI calls to show encrypted payloads to authorised operators:
 * codec sessions, decoding real ciphertext from the data converter and from workflow history,
 * who may use it, and the CORS answers the browser needs.
 */
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import jwt from 'jsonwebtoken';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from '../../temporal-config/encryption-codec';

let api: TestApi;
let ops: Actor;
let clinicAdmin: Actor;
let superAdmin: Actor;
let sessionPath: string;
let sessionToken: string;

const UI_ORIGIN = 'http://localhost:8233';
const SECRET = { clinicId: 'x', secret: 'hello' };

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');

/** Protobuf JSON, as the Temporal UI sends it: bytes as base64. */
function toJson(p: Payload): JsonPayload {
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) };
}

async function encrypted(value: unknown = SECRET): Promise<JsonPayload> {
  const codec = new EncryptionCodec(api.config.PAYLOAD_ENCRYPTION_KEYS, api.config.PAYLOAD_ENCRYPTION_KEY_ID);
  const [payload] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  return toJson(payload!);
}

/** Asserts the answer holds exactly the original value, decrypted to json/plain. */
function assertDecoded(body: unknown, expected: unknown = SECRET): void {
  const payloads = (body as { payloads: JsonPayload[] }).payloads;
  assert.equal(payloads.length, 1);
  assert.equal(unb64(payloads[0]!.metadata.encoding), 'json/plain');
  assert.equal(payloads[0]!.metadata[KEY_ID_METADATA], undefined);
  assert.deepEqual(JSON.parse(unb64(payloads[0]!.data)), expected);
}

before(async () => {
  api = await startTestApi({ METRICS_TOKEN: 'codec-test-metrics-token-0123456789' });
  const clinic = await createClinic(api, { name: 'Codec Clinic' });
  ops = await actor(api, 'OPS', null);
  superAdmin = await actor(api, 'SUPER_ADMIN', null);
  clinicAdmin = await actor(api, 'CLINIC_ADMIN', clinic.id);
  const res = await api.http.post('/api/v1/codec/sessions').set(bearer(ops)).expect(201);
  const endpoint = (res.body as { endpoint: string }).endpoint;
  sessionPath = new URL(endpoint).pathname;
  sessionToken = sessionPath.split('/')[3]!;
});

after(async () => {
  await api.close();
});

describe('codec sessions', () => {
  test('ops get a codec endpoint with its expiry, and the issue is audited', async () => {
    const started = Date.now();
    const res = await api.http.post('/api/v1/codec/sessions').set(bearer(ops)).expect(201);
    const { endpoint, expiresAt } = res.body as { endpoint: string; expiresAt: string };
    const url = new URL(endpoint);
    assert.equal(url.origin, `http://localhost:${api.config.API_PORT}`);
    assert.match(url.pathname, /^\/codec\/s\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const ttlMs = api.config.CODEC_SESSION_TTL_SECONDS * 1000;
    const expires = Date.parse(expiresAt);
    assert.ok(expires >= started + ttlMs - 1000 && expires <= Date.now() + ttlMs + 1000, `expiresAt ${expiresAt}`);
    // The token is tied to the operator and expires when the answer says.
    const claims = jwt.decode(url.pathname.split('/')[3]!) as jwt.JwtPayload;
    assert.equal(claims.sub, ops.id);
    assert.ok(Math.abs(claims.exp! * 1000 - expires) < 2000);

    const audit = await api.db.prisma.auditLog.findMany({ where: { action: 'codec.session', actorId: ops.id } });
    assert.ok(audit.length >= 2, 'one audit row per session (before() made one too)');
    assert.ok(audit.every((a) => a.entityType === 'StaffUser' && a.entityId === ops.id && a.actorRole === 'OPS' && a.clinicId === null));
    // The audit row does not hold the session token.
    assert.equal(JSON.stringify(audit).includes(url.pathname.split('/')[3]!), false);
  });

  test('a clinic admin may not open a codec session', async () => {
    const before = await api.db.prisma.auditLog.count({ where: { action: 'codec.session' } });
    const res = await api.http.post('/api/v1/codec/sessions').set(bearer(clinicAdmin)).expect(403);
    assert.equal((res.body as { error: { code: string } }).error.code, 'FORBIDDEN');
    assert.equal(await api.db.prisma.auditLog.count({ where: { action: 'codec.session' } }), before);
  });

  test('without a token there is no session', async () => {
    await api.http.post('/api/v1/codec/sessions').expect(401);
  });
});

describe('decoding', () => {
  test('a session URL decodes a payload encrypted by the data converter', async () => {
    const payload = await encrypted();
    assert.equal(unb64(payload.metadata.encoding), ENCRYPTED_ENCODING);
    assert.equal(unb64(payload.data).includes('hello'), false);
    const res = await api.http.post(`${sessionPath}/decode`).set('X-Namespace', 'default').send({ payloads: [payload] }).expect(200);
    assertDecoded(res.body);
  });

  test('a bearer access token of an operator decodes too', async () => {
    const res = await api.http.post('/codec/decode').set(bearer(ops)).send({ payloads: [await encrypted()] }).expect(200);
    assertDecoded(res.body);
    const admin = await api.http.post('/codec/decode').set(bearer(superAdmin)).send({ payloads: [await encrypted()] }).expect(200);
    assertDecoded(admin.body);
  });

  test('several payloads, encrypted and not, come back in order', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload('already plain'));
    const res = await api.http
      .post(`${sessionPath}/decode`)
      .send({ payloads: [await encrypted({ n: 1 }), plain, await encrypted({ n: 2 })] })
      .expect(200);
    const payloads = (res.body as { payloads: JsonPayload[] }).payloads;
    assert.deepEqual(
      payloads.map((p) => JSON.parse(unb64(p.data)) as unknown),
      [{ n: 1 }, 'already plain', { n: 2 }],
    );
  });

  test('decodes the encrypted input stored in a real workflow history', async () => {
    const workflowId = `codec-test/${randomUUID()}`;
    const handle = await api.temporal.client.workflow.start('licensingCheckWorkflow', { taskQueue: `codec-test-${randomUUID()}`, workflowId, args: [SECRET] });
    try {
      const history = await api.temporal.client.workflowService.getWorkflowExecutionHistory({
        namespace: api.config.TEMPORAL_NAMESPACE,
        execution: { workflowId, runId: handle.firstExecutionRunId },
      });
      const input = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      assert.ok(input, 'the started event carries the input');
      const stored = toJson(input as Payload);
      // Temporal holds ciphertext only.
      assert.equal(unb64(stored.metadata.encoding), ENCRYPTED_ENCODING);
      assert.equal(unb64(stored.metadata[KEY_ID_METADATA]), api.config.PAYLOAD_ENCRYPTION_KEY_ID);
      assert.equal(Buffer.from(stored.data, 'base64').includes('hello'), false);
      const res = await api.http.post(`${sessionPath}/decode`).send({ payloads: [stored] }).expect(200);
      assertDecoded(res.body);
    } finally {
      await handle.terminate('codec test done').catch(() => undefined);
    }
  });

  test('encode then decode round-trips, and encode answers ciphertext', async () => {
    const plain = toJson(defaultPayloadConverter.toPayload({ note: 'round trip', n: 7 }));
    const enc = await api.http.post(`${sessionPath}/encode`).send({ payloads: [plain] }).expect(200);
    const [cipher] = (enc.body as { payloads: JsonPayload[] }).payloads;
    assert.equal(unb64(cipher!.metadata.encoding), ENCRYPTED_ENCODING);
    assert.equal(unb64(cipher!.data).includes('round trip'), false);
    const dec = await api.http.post('/codec/decode').set(bearer(ops)).send({ payloads: [cipher] }).expect(200);
    assertDecoded(dec.body, { note: 'round trip', n: 7 });
    // And what the server encodes, the data converter's codec reads.
    const codec = new EncryptionCodec(api.config.PAYLOAD_ENCRYPTION_KEYS, api.config.PAYLOAD_ENCRYPTION_KEY_ID);
    const [local] = await codec.decode([{ metadata: Object.fromEntries(Object.entries(cipher!.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(cipher!.data, 'base64') }]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(local!), { note: 'round trip', n: 7 });
  });

  test('a body that is not {payloads: [...]} answers 400', async () => {
    const res = await api.http.post(`${sessionPath}/decode`).send({ nope: true }).expect(400);
    assert.equal((res.body as { error: { code: string } }).error.code, 'VALIDATION_ERROR');
  });

  test('a payload that fails to decrypt answers 422, not 500, and is not echoed', async () => {
    const payload = await encrypted();
    const data = Buffer.from(payload.data, 'base64');
    data[data.length - 1] = data[data.length - 1]! ^ 0xff;
    const tampered = { ...payload, data: data.toString('base64') };
    const retiredKey = { ...payload, metadata: { ...payload.metadata, [KEY_ID_METADATA]: Buffer.from('retired-2019').toString('base64') } };
    for (const bad of [tampered, retiredKey]) {
      const res = await api.http.post(`${sessionPath}/decode`).send({ payloads: [await encrypted(), bad] }).expect(422);
      assert.equal((res.body as { error: { code: string } }).error.code, 'UNDECODABLE_PAYLOAD');
      assert.equal(JSON.stringify(res.body).includes(bad.data), false);
      // Nothing of the good payload in the batch comes back either.
      assert.equal(JSON.stringify(res.body).includes('hello'), false);
    }
  });

  test('what was decoded is not logged, nor is the session token', async () => {
    await api.http.post(`${sessionPath}/decode`).send({ payloads: [await encrypted({ marker: 'do-not-log-this-value' })] }).expect(200);
    const logs = api.logs();
    assert.match(logs, /codec request/);
    assert.equal(logs.includes('do-not-log-this-value'), false);
    assert.equal(logs.includes(sessionToken), false, 'the session token (a credential) appears in the logs');
  });

  test('metrics label the session route by template, not by token', async () => {
    const metrics = await api.http.get('/metrics').set('Authorization', 'Bearer codec-test-metrics-token-0123456789').expect(200);
    assert.match(metrics.text, /route="\/codec\/s\/:session\/decode"/);
    assert.equal(metrics.text.includes(sessionToken), false);
  });
});

describe('who may decode', () => {
  test('without credentials: 401', async () => {
    const res = await api.http.post('/codec/decode').send({ payloads: [await encrypted()] }).expect(401);
    assert.equal((res.body as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    await api.http.post('/codec/decode').set('Authorization', 'Bearer not-a-token').send({ payloads: [await encrypted()] }).expect(401);
  });

  test("a clinic admin's bearer token: 403", async () => {
    const res = await api.http.post('/codec/decode').set(bearer(clinicAdmin)).send({ payloads: [await encrypted()] }).expect(403);
    assert.equal(JSON.stringify(res.body).includes('hello'), false);
  });

  test('a clinic admin cannot use a session token forged for them either', async () => {
    const token = jwt.sign({ sub: clinicAdmin.id }, api.config.JWT_SECRET, { algorithm: 'HS256', issuer: 'clinicflow', audience: 'clinicflow-codec', expiresIn: 60 });
    await api.http.post(`/codec/s/${token}/decode`).send({ payloads: [await encrypted()] }).expect(403);
  });

  test('a tampered session token: 401', async () => {
    const [header, payload, signature] = sessionToken.split('.') as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    await api.http.post(`/codec/s/${header}.${payload}.${flipped}/decode`).send({ payloads: [await encrypted()] }).expect(401);
    // A payload naming another user, with the original signature.
    const other = Buffer.from(JSON.stringify({ ...(jwt.decode(sessionToken) as object), sub: superAdmin.id })).toString('base64url');
    await api.http.post(`/codec/s/${header}.${other}.${signature}/decode`).send({ payloads: [await encrypted()] }).expect(401);
    await api.http.post('/codec/s/garbage/decode').send({ payloads: [await encrypted()] }).expect(401);
  });

  test('a session token signed with another secret: 401', async () => {
    const token = jwt.sign({ sub: ops.id }, 'x'.repeat(64), { algorithm: 'HS256', issuer: 'clinicflow', audience: 'clinicflow-codec', expiresIn: 60 });
    await api.http.post(`/codec/s/${token}/decode`).send({ payloads: [await encrypted()] }).expect(401);
  });

  test('an expired session token: 401, while the same token unexpired works', async () => {
    const sign = (exp: number) => jwt.sign({ sub: ops.id, exp }, api.config.JWT_SECRET, { algorithm: 'HS256', issuer: 'clinicflow', audience: 'clinicflow-codec' });
    const now = Math.floor(Date.now() / 1000);
    await api.http.post(`/codec/s/${sign(now + 60)}/decode`).send({ payloads: [await encrypted()] }).expect(200);
    await api.http.post(`/codec/s/${sign(now - 5)}/decode`).send({ payloads: [await encrypted()] }).expect(401);
  });

  test('tokens are not interchangeable: an access token is no session, a session token is no bearer', async () => {
    await api.http.post(`/codec/s/${ops.token}/decode`).send({ payloads: [await encrypted()] }).expect(401);
    await api.http.post('/codec/decode').set('Authorization', `Bearer ${sessionToken}`).send({ payloads: [await encrypted()] }).expect(401);
    // Nor does a codec session open the API.
    await api.http.get('/api/v1/clinics').set('Authorization', `Bearer ${sessionToken}`).expect(401);
  });

  test('a deactivated operator’s session stops working at once', async () => {
    const leaver = await actor(api, 'OPS', null);
    const res = await api.http.post('/api/v1/codec/sessions').set(bearer(leaver)).expect(201);
    const path = new URL((res.body as { endpoint: string }).endpoint).pathname;
    await api.http.post(`${path}/decode`).send({ payloads: [await encrypted()] }).expect(200);
    await api.db.prisma.staffUser.update({ where: { id: leaver.id }, data: { active: false } });
    const denied = await api.http.post(`${path}/decode`).send({ payloads: [await encrypted()] });
    assert.ok(denied.status === 401 || denied.status === 403, `status ${denied.status}`);
    assert.equal(JSON.stringify(denied.body).includes('hello'), false);
    await api.http.post('/codec/decode').set(bearer(leaver)).send({ payloads: [await encrypted()] }).expect(denied.status);
  });
});

describe('CORS for the Temporal UI', () => {
  test('a preflight from the UI origin is allowed, with X-Namespace', async () => {
    for (const path of ['/codec/decode', `${sessionPath}/decode`]) {
      const res = await api.http
        .options(path)
        .set('Origin', UI_ORIGIN)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,x-namespace');
      assert.ok(res.status === 204 || res.status === 200, `status ${res.status}`);
      assert.equal(res.headers['access-control-allow-origin'], UI_ORIGIN);
      const allowed = String(res.headers['access-control-allow-headers']).toLowerCase().split(/\s*,\s*/);
      for (const h of ['content-type', 'x-namespace', 'authorization']) assert.ok(allowed.includes(h), `${h} allowed: ${allowed.join()}`);
      assert.match(String(res.headers['access-control-allow-methods']), /POST/);
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
    }
  });

  test('the decode answer itself carries the allowed origin', async () => {
    const res = await api.http.post(`${sessionPath}/decode`).set('Origin', UI_ORIGIN).send({ payloads: [await encrypted()] }).expect(200);
    assert.equal(res.headers['access-control-allow-origin'], UI_ORIGIN);
    // An error answer too, so the UI can show why.
    const denied = await api.http.post('/codec/decode').set('Origin', UI_ORIGIN).send({ payloads: [] }).expect(401);
    assert.equal(denied.headers['access-control-allow-origin'], UI_ORIGIN);
  });

  test('an origin not in CODEC_CORS_ORIGINS gets no Access-Control-Allow-Origin', async () => {
    assert.equal(api.config.CODEC_CORS_ORIGINS.includes('http://evil.example'), false);
    const pre = await api.http
      .options('/codec/decode')
      .set('Origin', 'http://evil.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-namespace');
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
    const post = await api.http.post(`${sessionPath}/decode`).set('Origin', 'http://evil.example').send({ payloads: [await encrypted()] });
    assert.equal(post.headers['access-control-allow-origin'], undefined);
  });
});
