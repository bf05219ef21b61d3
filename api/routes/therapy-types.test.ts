/** The therapy-type catalogue: create, list, read, change, audit, validation and access. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { detailPaths, expectError } from '../../test/support/errors';

const TYPES = '/api/v1/therapy-types';

interface TherapyTypeBody {
  id: string;
  name: string;
  defaultDurationMinutes: number;
  defaultPrice: string;
  currency: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  data: TherapyTypeBody[];
  nextCursor: string | null;
}
type Changes = { before?: Record<string, unknown>; after?: Record<string, unknown> };

describe('therapy types', () => {
  let api: TestApi;
  let clinicId: string;
  let admin: Actor;

  before(async () => {
    api = await startTestApi();
    clinicId = (await createClinic(api, { tier: 'L' })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
  });
  after(async () => {
    await api.close();
  });

  const create = (who: Actor, body: Record<string, unknown>) => api.http.post(TYPES).set(bearer(who)).send(body);
  const list = async (who: Actor, query: Record<string, string | number> = {}) => (await api.http.get(TYPES).query(query).set(bearer(who)).expect(200)).body as Page;

  test('an admin adds a therapy type: price as a two-decimal string, currency upper-cased, audited', async () => {
    const res = await create(admin, { name: 'Physiotherapy', defaultDurationMinutes: 45, defaultPrice: 60, currency: 'gbp' }).expect(201);
    const t = res.body as TherapyTypeBody;
    assert.deepEqual(
      { ...t, id: undefined, createdAt: undefined, updatedAt: undefined },
      {
        id: undefined,
        name: 'Physiotherapy',
        defaultDurationMinutes: 45,
        defaultPrice: '60.00',
        currency: 'GBP',
        active: true,
        // The treatment catalogue's fields, none given.
        categoryId: null,
        instructions: null,
        barcode: null,
        archivedAt: null,
        createdAt: undefined,
        updatedAt: undefined,
      },
    );
    const row = await api.db.prisma.therapyType.findUniqueOrThrow({ where: { id: t.id } });
    assert.equal(row.clinicId, clinicId);
    assert.equal(row.defaultPrice.toFixed(2), '60.00');

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'therapyType.create', entityId: t.id } });
    assert.equal(audit.actorId, admin.id);
    assert.equal(audit.clinicId, clinicId);
    assert.equal((audit.changes as Changes).after?.name, 'Physiotherapy');

    const decimal = (await create(admin, { name: 'Massage', defaultDurationMinutes: 30, defaultPrice: '35.5', currency: 'EUR' }).expect(201)).body as TherapyTypeBody;
    assert.equal(decimal.defaultPrice, '35.50');
    const free = (await create(admin, { name: 'Intake call', defaultDurationMinutes: 5, defaultPrice: 0, currency: 'EUR' }).expect(201)).body as TherapyTypeBody;
    assert.equal(free.defaultPrice, '0.00');
  });

  test('bad input is 400 with the field paths, and nothing is stored', async () => {
    const before = await api.db.prisma.therapyType.count({ where: { clinicId } });
    assert.deepEqual(detailPaths(expectError(await create(admin, {}), 400, 'VALIDATION_ERROR')), ['body.currency', 'body.defaultDurationMinutes', 'body.defaultPrice', 'body.name']);
    const bad = expectError(await create(admin, { name: '  ', defaultDurationMinutes: 4, defaultPrice: -1, currency: 'EU' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(bad), ['body.currency', 'body.defaultDurationMinutes', 'body.defaultPrice', 'body.name']);
    const more = expectError(await create(admin, { name: 'X', defaultDurationMinutes: 481, defaultPrice: '12.345', currency: 'ABC' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(more), ['body.currency', 'body.defaultDurationMinutes', 'body.defaultPrice']);
    const words = expectError(await create(admin, { name: 'X', defaultDurationMinutes: 30.5, defaultPrice: 'ten', currency: 'EUR' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(words), ['body.defaultDurationMinutes', 'body.defaultPrice']);
    assert.equal(await api.db.prisma.therapyType.count({ where: { clinicId } }), before);
  });

  test('a name the clinic already uses (in any case) is 409; another clinic may use it', async () => {
    await create(admin, { name: 'Speech therapy', defaultDurationMinutes: 50, defaultPrice: 70, currency: 'EUR' }).expect(201);
    expectError(await create(admin, { name: 'Speech therapy', defaultDurationMinutes: 30, defaultPrice: 10, currency: 'EUR' }), 409, 'THERAPY_TYPE_EXISTS');
    expectError(await create(admin, { name: 'SPEECH THERAPY', defaultDurationMinutes: 30, defaultPrice: 10, currency: 'EUR' }), 409, 'THERAPY_TYPE_EXISTS');
    assert.equal(await api.db.prisma.therapyType.count({ where: { clinicId, name: { equals: 'speech therapy', mode: 'insensitive' } } }), 1);

    const other = await createClinic(api, { tier: 'L' });
    await create(await actor(api, 'MANAGER', other.id), { name: 'Speech therapy', defaultDurationMinutes: 30, defaultPrice: 10, currency: 'EUR' }).expect(201);
  });

  test('lists by name with an active filter and pages; reads one; changes it (audited); 404 for another clinic', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const manager = await actor(api, 'MANAGER', clinic.id);
    const made: TherapyTypeBody[] = [];
    for (const name of ['Reflexology', 'Acupuncture', 'Osteopathy']) {
      made.push((await create(manager, { name, defaultDurationMinutes: 60, defaultPrice: 50, currency: 'EUR' }).expect(201)).body as TherapyTypeBody);
    }
    const [reflexology, acupuncture] = made as [TherapyTypeBody, TherapyTypeBody, TherapyTypeBody];
    assert.deepEqual((await list(manager)).data.map((t) => t.name), ['Acupuncture', 'Osteopathy', 'Reflexology']);
    const first = await list(manager, { limit: 2 });
    assert.equal(first.data.length, 2);
    assert.ok(first.nextCursor);
    assert.deepEqual((await list(manager, { limit: 2, cursor: first.nextCursor })).data.map((t) => t.name), ['Reflexology']);

    const res = await api.http.patch(`${TYPES}/${reflexology.id}`).set(bearer(manager)).send({ active: false, defaultPrice: '55.25', defaultDurationMinutes: 50 }).expect(200);
    const changed = res.body as TherapyTypeBody;
    assert.deepEqual([changed.active, changed.defaultPrice, changed.defaultDurationMinutes, changed.name], [false, '55.25', 50, 'Reflexology']);
    assert.deepEqual((await list(manager, { active: 'true' })).data.map((t) => t.name), ['Acupuncture', 'Osteopathy']);
    assert.deepEqual((await list(manager, { active: 'false' })).data.map((t) => t.name), ['Reflexology']);
    assert.deepEqual((await api.http.get(`${TYPES}/${reflexology.id}`).set(bearer(manager)).expect(200)).body, changed);

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'therapyType.update', entityId: reflexology.id } });
    assert.deepEqual(audit.changes, {
      before: { active: true, defaultPrice: '50', defaultDurationMinutes: 60 },
      after: { active: false, defaultPrice: '55.25', defaultDurationMinutes: 50 },
    });

    expectError(await api.http.patch(`${TYPES}/${reflexology.id}`).set(bearer(manager)).send({ name: 'acupuncture' }), 409, 'THERAPY_TYPE_EXISTS');
    await api.http.patch(`${TYPES}/${acupuncture.id}`).set(bearer(manager)).send({ name: 'Acupuncture' }).expect(200);
    expectError(await api.http.patch(`${TYPES}/${reflexology.id}`).set(bearer(manager)).send({}), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(expectError(await api.http.patch(`${TYPES}/${reflexology.id}`).set(bearer(manager)).send({ currency: 'euro' }), 400, 'VALIDATION_ERROR')), ['body.currency']);

    // Another clinic's therapy type does not exist for this clinic.
    expectError(await api.http.get(`${TYPES}/${reflexology.id}`).set(bearer(admin)), 404, 'NOT_FOUND');
    expectError(await api.http.patch(`${TYPES}/${reflexology.id}`).set(bearer(admin)).send({ name: 'Stolen' }), 404, 'NOT_FOUND');
    assert.equal((await api.db.prisma.therapyType.findUniqueOrThrow({ where: { id: reflexology.id } })).name, 'Reflexology');
    assert.ok(!(await list(admin, { limit: 100 })).data.some((t) => t.id === reflexology.id));
    expectError(await api.http.get(`${TYPES}/not-a-uuid`).set(bearer(manager)), 400, 'VALIDATION_ERROR');
  });

  test('RBAC: the front desk and practitioners read the catalogue; only admins and managers change it', async () => {
    const receptionist = await actor(api, 'RECEPTIONIST', clinicId);
    const therapist = await actor(api, 'THERAPIST', clinicId);
    const accountant = await actor(api, 'ACCOUNTANT', clinicId);
    const body = { name: 'Forbidden fruit', defaultDurationMinutes: 30, defaultPrice: 1, currency: 'EUR' };
    expectError(await create(receptionist, body), 403, 'FORBIDDEN');
    expectError(await create(therapist, body), 403, 'FORBIDDEN');
    assert.equal(await api.db.prisma.therapyType.count({ where: { name: body.name } }), 0);
    const some = (await list(receptionist)).data[0];
    assert.ok(some);
    await api.http.get(`${TYPES}/${some.id}`).set(bearer(therapist)).expect(200);
    expectError(await api.http.patch(`${TYPES}/${some.id}`).set(bearer(therapist)).send({ active: false }), 403, 'FORBIDDEN');
    expectError(await api.http.get(TYPES).set(bearer(accountant)), 403, 'FORBIDDEN');
    expectError(await api.http.get(TYPES), 401, 'UNAUTHORIZED');
  });

  test('a suspended clinic can read its catalogue but not change it', async () => {
    const clinic = await createClinic(api, { tier: 'L', status: 'SUSPENDED' });
    const frozenAdmin = await actor(api, 'CLINIC_ADMIN', clinic.id);
    const row = await api.db.prisma.therapyType.create({ data: { clinicId: clinic.id, name: 'Frozen', defaultDurationMinutes: 30, defaultPrice: '10', currency: 'EUR' } });
    assert.equal((await list(frozenAdmin)).data.length, 1);
    expectError(await create(frozenAdmin, { name: 'New', defaultDurationMinutes: 30, defaultPrice: 1, currency: 'EUR' }), 403, 'SUBSCRIPTION_INACTIVE');
    expectError(await api.http.patch(`${TYPES}/${row.id}`).set(bearer(frozenAdmin)).send({ active: false }), 403, 'SUBSCRIPTION_INACTIVE');
  });
});
