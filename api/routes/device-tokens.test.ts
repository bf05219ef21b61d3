import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { actor, type Actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';

let api: TestApi;
let desk: Actor;
let patientId: string;
const TOKEN = 'fcm-registration-token:APA91b-0123456789abcdef';

before(async () => {
  api = await startTestApi();
  const clinic = await createClinic(api, { name: 'Devices' });
  desk = await actor(api, 'RECEPTIONIST', clinic.id);
  patientId = (await api.db.prisma.patient.create({ data: { clinicId: clinic.id, firstName: 'Ravi', lastName: 'Kumar', barcode: 'DEV-1' } })).id;
});
after(async () => api?.close());

test('a device is registered once, listed by its ending, and registering it again changes nothing', async () => {
  const first = await api.http.post(`/api/v1/patients/${patientId}/device-tokens`).set(bearer(desk)).send({ token: TOKEN }).expect(201);
  const again = await api.http.post(`/api/v1/patients/${patientId}/device-tokens`).set(bearer(desk)).send({ token: TOKEN }).expect(200);
  assert.equal((again.body as { id: string }).id, (first.body as { id: string }).id);
  const list = await api.http.get(`/api/v1/patients/${patientId}/device-tokens`).set(bearer(desk)).expect(200);
  assert.deepEqual((list.body as Array<{ tokenEnding: string }>).map((t) => t.tokenEnding), ['abcdef']);
  assert.ok(!JSON.stringify(list.body).includes(TOKEN), 'the full token is never shown');
  assert.equal(await api.db.prisma.deviceToken.count({ where: { patientId } }), 1);
});

test('bad tokens are refused with the field path; another clinic\'s patient is not found', async () => {
  const err = expectError(await api.http.post(`/api/v1/patients/${patientId}/device-tokens`).set(bearer(desk)).send({ token: 'short' }), 400, 'VALIDATION_ERROR');
  assert.deepEqual(detailPaths(err), ['body.token']);
  const other = await createClinic(api, { name: 'Other' });
  const stranger = await actor(api, 'RECEPTIONIST', other.id);
  expectError(await api.http.post(`/api/v1/patients/${patientId}/device-tokens`).set(bearer(stranger)).send({ token: TOKEN }), 404, 'NOT_FOUND');
});
