/** Patient registration, search, changes, licence limits, PHI-free audit trail and logs. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localDate } from '../../domain/dates';
import { type Actor, actor, bearer, createClinic, PASSWORD, startTestApi, type TestApi } from '../../test/support/api';
import { expectError, detailPaths } from '../../test/support/errors';
import { insertAppointment } from '../../test/support/scheduling';

const PATIENTS = '/api/v1/patients';
const BARCODE = /^P-[0-9A-HJKMNP-TV-Z]{10}$/;

interface PatientBody {
  id: string;
  clinicId: string;
  firstName: string;
  lastName: string;
  dateOfBirth: string | null;
  gender: string | null;
  email: string | null;
  phone: string | null;
  preferredLanguage: string;
  preferredChannels: string[];
  optedOutChannels: string[];
  guardian: { name: string; relationship: string; phone: string | null; email: string | null } | null;
  barcode: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}
interface Page {
  data: PatientBody[];
  nextCursor: string | null;
}
type Changes = { before?: Record<string, unknown>; after?: Record<string, unknown> };

/** The UTC calendar date `years` years and `days` days before today (the API judges age in UTC). */
function yearsAgo(years: number, days = 0): string {
  const today = localDate(new Date(), 'UTC');
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y - years, m - 1, d - days));
  return date.toISOString().slice(0, 10);
}

describe('patients', () => {
  let api: TestApi;
  let clinicId: string;
  let admin: Actor;
  let receptionist: Actor;

  before(async () => {
    api = await startTestApi();
    clinicId = (await createClinic(api, { tier: 'L' })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    receptionist = await actor(api, 'RECEPTIONIST', clinicId);
  });
  after(async () => {
    await api.close();
  });

  const create = (who: Actor, body: Record<string, unknown>) => api.http.post(PATIENTS).set(bearer(who)).send(body);
  const list = async (who: Actor, query: Record<string, string | number>) => (await api.http.get(PATIENTS).query(query).set(bearer(who)).expect(200)).body as Page;
  const activePatients = (id: string) => api.db.prisma.patient.count({ where: { clinicId: id, active: true } });

  test('a receptionist registers a patient: a card barcode is generated and the audit row holds no PHI', async () => {
    const res = await create(receptionist, {
      firstName: 'Mary',
      lastName: 'Seacole',
      dateOfBirth: '1985-11-23',
      gender: 'female',
      email: 'mary.seacole@example.com',
      phone: '+44 20 7946 0001',
    }).expect(201);
    const p = res.body as PatientBody;
    assert.match(p.barcode, BARCODE);
    assert.equal(p.clinicId, clinicId);
    assert.equal(p.firstName, 'Mary');
    assert.equal(p.dateOfBirth, '1985-11-23');
    assert.equal(p.preferredLanguage, 'en');
    assert.equal(p.guardian, null);
    assert.equal(p.active, true);

    const row = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } });
    assert.equal(row.clinicId, clinicId);
    assert.equal(row.barcode, p.barcode);
    assert.equal(row.dateOfBirth?.toISOString(), '1985-11-23T00:00:00.000Z');

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'patient.create', entityId: p.id } });
    assert.equal(audit.actorId, receptionist.id);
    assert.equal(audit.actorRole, 'RECEPTIONIST');
    assert.equal(audit.clinicId, clinicId);
    const after = (audit.changes as Changes).after ?? {};
    for (const field of ['firstName', 'lastName', 'dateOfBirth', 'gender', 'email', 'phone']) assert.equal(after[field], '[redacted]', field);
    assert.equal(after.barcode, p.barcode, 'non-PHI fields keep their value');
    assert.equal(after.active, true);
    const raw = JSON.stringify(audit.changes);
    for (const secret of ['Mary', 'Seacole', '1985-11-23', 'mary.seacole@example.com', '7946 0001']) assert.ok(!raw.includes(secret), secret);

    const second = (await create(receptionist, { firstName: 'Other', lastName: 'Person' }).expect(201)).body as PatientBody;
    assert.match(second.barcode, BARCODE);
    assert.notEqual(second.barcode, p.barcode);
  });

  test('RBAC: clinicians cannot register patients, accountants cannot change them', async () => {
    const doctor = await actor(api, 'DOCTOR', clinicId);
    const accountant = await actor(api, 'ACCOUNTANT', clinicId);
    const before = await api.db.prisma.patient.count({ where: { clinicId } });
    expectError(await create(doctor, { firstName: 'Not', lastName: 'Created' }), 403, 'FORBIDDEN');
    expectError(await create(accountant, { firstName: 'Not', lastName: 'Created' }), 403, 'FORBIDDEN');
    assert.equal(await api.db.prisma.patient.count({ where: { clinicId } }), before);

    const p = (await create(admin, { firstName: 'Rbac', lastName: 'Subject' }).expect(201)).body as PatientBody;
    expectError(await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(accountant)).send({ lastName: 'Changed' }), 403, 'FORBIDDEN');
    assert.equal((await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } })).lastName, 'Subject');
    await api.http.get(`${PATIENTS}/${p.id}`).set(bearer(accountant)).expect(200);
    // A doctor changes the patients they treat only: others answer 404, as another clinic's do.
    expectError(await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(doctor)).send({ gender: 'male' }), 404, 'NOT_FOUND');
    await insertAppointment(api, { clinicId, patientId: p.id, practitionerId: doctor.id, startsAt: '2026-06-01T09:00:00Z', endsAt: '2026-06-01T09:50:00Z' });
    await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(doctor)).send({ gender: 'male' }).expect(200);
    expectError(await api.http.get(PATIENTS), 401, 'UNAUTHORIZED');

    const ops = await actor(api, 'OPS', null);
    expectError(await api.http.get(PATIENTS).set({ ...bearer(ops), 'X-Clinic-Id': clinicId }), 403, 'FORBIDDEN');
  });

  test('a minor needs a guardian (422 GUARDIAN_REQUIRED); with one the patient is created', async () => {
    const child = { firstName: 'Tim', lastName: 'Cratchit', dateOfBirth: yearsAgo(10) };
    const err = expectError(await create(receptionist, child), 422, 'GUARDIAN_REQUIRED');
    assert.deepEqual(detailPaths(err), ['body.guardian']);
    assert.equal(await api.db.prisma.patient.count({ where: { lastName: 'Cratchit' } }), 0);

    const guardian = { name: 'Bob Cratchit', relationship: 'father', phone: '+44 20 7946 0002', email: 'bob@example.com' };
    const res = await create(receptionist, { ...child, guardian }).expect(201);
    const p = res.body as PatientBody;
    assert.deepEqual(p.guardian, guardian);
    const row = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } });
    assert.equal(row.guardianName, 'Bob Cratchit');
    assert.equal(row.guardianRelationship, 'father');

    // Removing the guardian of a minor is refused too.
    expectError(await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(receptionist)).send({ guardian: null }), 422, 'GUARDIAN_REQUIRED');
    assert.equal((await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } })).guardianName, 'Bob Cratchit');
    // Making an adult a minor without a guardian is refused.
    const adult = (await create(receptionist, { firstName: 'Grown', lastName: 'Up', dateOfBirth: yearsAgo(40) }).expect(201)).body as PatientBody;
    expectError(await api.http.patch(`${PATIENTS}/${adult.id}`).set(bearer(receptionist)).send({ dateOfBirth: yearsAgo(5) }), 422, 'GUARDIAN_REQUIRED');
  });

  test('18 is adult: born exactly 18 years ago needs no guardian, one day later does', async () => {
    await create(receptionist, { firstName: 'Just', lastName: 'Eighteen', dateOfBirth: yearsAgo(18) }).expect(201);
    expectError(await create(receptionist, { firstName: 'Almost', lastName: 'Eighteen', dateOfBirth: yearsAgo(18, -1) }), 422, 'GUARDIAN_REQUIRED');
  });

  test('a date of birth in the future is 422; an impossible date is 400', async () => {
    const err = expectError(await create(receptionist, { firstName: 'Future', lastName: 'Baby', dateOfBirth: yearsAgo(0, -1) }), 422, 'INVALID_DATE_OF_BIRTH');
    assert.deepEqual(detailPaths(err), ['body.dateOfBirth']);
    const bad = expectError(await create(receptionist, { firstName: 'Leap', lastName: 'Less', dateOfBirth: '2023-02-29' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(bad), ['body.dateOfBirth']);
    assert.equal(await api.db.prisma.patient.count({ where: { lastName: { in: ['Baby', 'Less'] } } }), 0);
  });

  test('a bad email or phone is 400 with the field paths', async () => {
    const err = expectError(await create(receptionist, { firstName: 'Bad', lastName: 'Contact', email: 'not-an-email', phone: 'call me maybe' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(err), ['body.email', 'body.phone']);
    const g = expectError(
      await create(receptionist, { firstName: 'Bad', lastName: 'Guardian', guardian: { name: 'G', relationship: 'aunt', email: 'nope', phone: '12' } }),
      400,
      'VALIDATION_ERROR',
    );
    assert.deepEqual(detailPaths(g), ['body.guardian.email', 'body.guardian.phone']);
    const missing = expectError(await create(receptionist, {}), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(missing), ['body.firstName', 'body.lastName']);
    const p = (await create(receptionist, { firstName: 'Good', lastName: 'Contact' }).expect(201)).body as PatientBody;
    const patch = expectError(await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(receptionist)).send({ email: 'x@', phone: 'abc' }), 400, 'VALIDATION_ERROR');
    assert.deepEqual(detailPaths(patch), ['body.email', 'body.phone']);
    assert.equal(await api.db.prisma.patient.count({ where: { lastName: { in: ['Guardian'] } } }), 0);
  });

  test('channel preferences: stored and returned; unknown, repeated or contradictory channels are refused', async () => {
    const p = (await create(receptionist, { firstName: 'Chan', lastName: 'Nels', preferredChannels: ['whatsapp', 'email'], optedOutChannels: ['sms'] }).expect(201)).body as PatientBody;
    assert.deepEqual([p.preferredChannels, p.optedOutChannels], [['whatsapp', 'email'], ['sms']]);
    const stored = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } });
    assert.deepEqual([stored.preferredChannels, stored.optedOutChannels], [['whatsapp', 'email'], ['sms']]);

    assert.deepEqual(detailPaths(expectError(await create(receptionist, { firstName: 'A', lastName: 'B', preferredChannels: ['fax'] }), 400, 'VALIDATION_ERROR')), ['body.preferredChannels.0']);
    assert.deepEqual(detailPaths(expectError(await create(receptionist, { firstName: 'A', lastName: 'B', preferredChannels: ['sms', 'sms'] }), 400, 'VALIDATION_ERROR')), ['body.preferredChannels']);
    assert.deepEqual(
      detailPaths(expectError(await create(receptionist, { firstName: 'A', lastName: 'B', preferredChannels: ['sms'], optedOutChannels: ['sms'] }), 400, 'VALIDATION_ERROR')),
      ['body.optedOutChannels'],
    );

    // A patch naming one list is checked against the stored other one.
    const patch = (body: Record<string, unknown>) => api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(receptionist)).send(body);
    expectError(await patch({ preferredChannels: ['sms'] }), 422, 'CHANNEL_PREFERENCE_CONFLICT');
    const changed = (await patch({ optedOutChannels: [], preferredChannels: ['sms'] }).expect(200)).body as PatientBody;
    assert.deepEqual([changed.preferredChannels, changed.optedOutChannels], [['sms'], []]);
  });

  test('an explicit barcode already used in the clinic is 409 BARCODE_TAKEN; other clinics may reuse it', async () => {
    await create(receptionist, { firstName: 'Card', lastName: 'One', barcode: 'CARD-0001' }).expect(201);
    expectError(await create(receptionist, { firstName: 'Card', lastName: 'Two', barcode: 'CARD-0001' }), 409, 'BARCODE_TAKEN');
    assert.equal(await api.db.prisma.patient.count({ where: { clinicId, barcode: 'CARD-0001' } }), 1);
    assert.equal(await api.db.prisma.patient.count({ where: { lastName: 'Two', firstName: 'Card' } }), 0);

    const other = await createClinic(api, { tier: 'L' });
    const otherDesk = await actor(api, 'RECEPTIONIST', other.id);
    await create(otherDesk, { firstName: 'Card', lastName: 'Elsewhere', barcode: 'CARD-0001' }).expect(201);
    expectError(await create(receptionist, { firstName: 'Bad', lastName: 'Code', barcode: 'no spaces!' }), 400, 'VALIDATION_ERROR');
  });

  test('lists, searches (name case-insensitive, barcode, email), sorts and pages through patients', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const desk = await actor(api, 'RECEPTIONIST', clinic.id);
    const people: [string, string][] = [
      ['Ada', 'Lovelace'],
      ['Charles', 'Babbage'],
      ['Alan', 'Turing'],
      ['Grace', 'Hopper'],
      ['Annie', 'Babbage'],
      ['Edith', 'Clarke'],
      ['Katherine', 'Johnson'],
    ];
    const created: PatientBody[] = [];
    for (const [firstName, lastName] of people) {
      const email = `${firstName.toLowerCase()}@example.org`;
      created.push((await create(desk, { firstName, lastName, email }).expect(201)).body as PatientBody);
    }
    await create(receptionist, { firstName: 'Hidden', lastName: 'Lovelace' }).expect(201); // another clinic

    const all = await list(desk, { limit: 100 });
    assert.equal(all.data.length, 7);
    assert.deepEqual(
      all.data.map((p) => p.id),
      created.map((p) => p.id).reverse(),
      'newest first by default',
    );
    assert.equal(all.nextCursor, null);

    const byName = await list(desk, { q: 'lOVELACE' });
    assert.deepEqual(byName.data.map((p) => `${p.firstName} ${p.lastName}`), ['Ada Lovelace']);
    const partial = await list(desk, { q: 'bab' });
    assert.deepEqual(partial.data.map((p) => p.firstName).sort(), ['Annie', 'Charles']);
    const target = created[3];
    assert.ok(target);
    const byBarcode = await list(desk, { q: target.barcode });
    assert.deepEqual(byBarcode.data.map((p) => p.id), [target.id]);
    const byEmail = await list(desk, { q: 'katherine@EXAMPLE' });
    assert.deepEqual(byEmail.data.map((p) => p.lastName), ['Johnson']);
    assert.deepEqual((await list(desk, { q: 'Nobody' })).data, []);

    const sorted = await list(desk, { sort: 'lastName', order: 'asc', limit: 100 });
    const expected = ['Annie Babbage', 'Charles Babbage', 'Edith Clarke', 'Grace Hopper', 'Katherine Johnson', 'Ada Lovelace', 'Alan Turing'];
    assert.deepEqual(sorted.data.map((p) => `${p.firstName} ${p.lastName}`), expected);
    const desc = await list(desk, { sort: 'lastName', order: 'desc', limit: 100 });
    assert.deepEqual(desc.data.map((p) => `${p.firstName} ${p.lastName}`), [...expected].reverse());

    // Walk the sorted list two at a time.
    const walked: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(desk, { sort: 'lastName', order: 'asc', limit: 2, ...(cursor ? { cursor } : {}) });
      assert.ok(page.data.length <= 2);
      walked.push(...page.data.map((p) => `${p.firstName} ${p.lastName}`));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    assert.equal(pages, 4);
    assert.equal(cursor, null);
    assert.deepEqual(walked, expected, 'same order, no duplicates, nothing skipped');

    // And the default order, two at a time, with a filter.
    const lovelace = created[0];
    assert.ok(lovelace);
    await api.http.patch(`${PATIENTS}/${lovelace.id}`).set(bearer(desk)).send({ active: false }).expect(200);
    const activeIds: string[] = [];
    cursor = null;
    do {
      const page = await list(desk, { active: 'true', limit: 2, ...(cursor ? { cursor } : {}) });
      activeIds.push(...page.data.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.equal(activeIds.length, 6);
    assert.equal(new Set(activeIds).size, 6);
    assert.ok(!activeIds.includes(lovelace.id));
    assert.deepEqual((await list(desk, { active: 'false' })).data.map((p) => p.id), [lovelace.id]);

    expectError(await api.http.get(PATIENTS).query({ sort: 'dateOfBirth' }).set(bearer(desk)), 400, 'VALIDATION_ERROR');
    expectError(await api.http.get(PATIENTS).query({ cursor: 'not-ours' }).set(bearer(desk)), 400, 'INVALID_CURSOR');
  });

  test('search text is matched literally: % and _ are not wildcards', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const desk = await actor(api, 'RECEPTIONIST', clinic.id);
    const underscore = (await create(desk, { firstName: 'Una', lastName: 'Under_Score' }).expect(201)).body as PatientBody;
    await create(desk, { firstName: 'Xavier', lastName: 'UnderXScore' }).expect(201);
    const percent = (await create(desk, { firstName: 'Percy', lastName: 'Hundred%' }).expect(201)).body as PatientBody;
    await create(desk, { firstName: 'Bart', lastName: 'Back\\Slash' }).expect(201);

    assert.deepEqual((await list(desk, { q: 'under_' })).data.map((p) => p.id), [underscore.id]);
    assert.deepEqual((await list(desk, { q: 'd%' })).data.map((p) => p.id), [percent.id]);
    assert.deepEqual((await list(desk, { q: '%' })).data.map((p) => p.id), [percent.id]);
    assert.deepEqual((await list(desk, { q: '_' })).data.map((p) => p.id), [underscore.id]);
    assert.deepEqual((await list(desk, { q: 'k\\s' })).data.map((p) => p.lastName), ['Back\\Slash']);
  });

  test("reads one patient; another clinic's patient is 404", async () => {
    const p = (await create(receptionist, { firstName: 'Read', lastName: 'Me' }).expect(201)).body as PatientBody;
    const res = await api.http.get(`${PATIENTS}/${p.id}`).set(bearer(receptionist)).expect(200);
    assert.deepEqual(res.body, p);

    const other = await createClinic(api, { tier: 'L' });
    const stranger = await actor(api, 'CLINIC_ADMIN', other.id);
    expectError(await api.http.get(`${PATIENTS}/${p.id}`).set(bearer(stranger)), 404, 'NOT_FOUND');
    expectError(await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(stranger)).send({ lastName: 'Stolen' }), 404, 'NOT_FOUND');
    assert.equal((await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } })).lastName, 'Me');
    expectError(await api.http.get(`${PATIENTS}/not-a-uuid`).set(bearer(receptionist)), 400, 'VALIDATION_ERROR');
  });

  test('a patch is audited: which fields changed, PHI values redacted, other values kept', async () => {
    const p = (await create(receptionist, { firstName: 'Ebenezer', lastName: 'Scrooge', email: 'scrooge@example.com', preferredLanguage: 'en' }).expect(201))
      .body as PatientBody;
    const res = await api.http
      .patch(`${PATIENTS}/${p.id}`)
      .set(bearer(admin))
      .send({ firstName: 'Eben', email: 'eben@example.com', phone: '+44 20 7946 0003', preferredLanguage: 'hi', active: false })
      .expect(200);
    const updated = res.body as PatientBody;
    assert.equal(updated.firstName, 'Eben');
    assert.equal(updated.lastName, 'Scrooge');
    assert.equal(updated.active, false);
    const row = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: p.id } });
    assert.equal(row.email, 'eben@example.com');
    assert.equal(row.phone, '+44 20 7946 0003');
    assert.equal(row.preferredLanguage, 'hi');
    assert.equal(row.active, false);

    const audit = await api.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'patient.update', entityId: p.id } });
    assert.equal(audit.actorId, admin.id);
    assert.equal(audit.entityType, 'Patient');
    assert.deepEqual(audit.changes, {
      before: { firstName: '[redacted]', email: '[redacted]', phone: '[redacted]', preferredLanguage: 'en', active: true },
      after: { firstName: '[redacted]', email: '[redacted]', phone: '[redacted]', preferredLanguage: 'hi', active: false },
    });
    const raw = JSON.stringify(audit.changes);
    for (const phi of ['Ebenezer', 'Eben', 'Scrooge', 'scrooge@example.com', 'eben@example.com', '7946 0003']) assert.ok(!raw.includes(phi), phi);

    await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(admin)).send({ active: true }).expect(200);
    const reactivation = await api.db.prisma.auditLog.findMany({ where: { action: 'patient.update', entityId: p.id }, orderBy: { createdAt: 'asc' } });
    assert.equal(reactivation.length, 2);
    assert.deepEqual(reactivation[1]?.changes, { before: { active: false }, after: { active: true } });
    expectError(await api.http.patch(`${PATIENTS}/${p.id}`).set(bearer(admin)).send({}), 400, 'VALIDATION_ERROR');
  });

  test('tier S allows 250 active patients: the 251st and reactivating beyond the limit are 402', async () => {
    const clinic = await createClinic(api, { tier: 'S' });
    const desk = await actor(api, 'RECEPTIONIST', clinic.id);
    await api.db.prisma.patient.createMany({
      data: Array.from({ length: 249 }, (_, i) => ({ clinicId: clinic.id, firstName: 'Bulk', lastName: `Patient ${i}`, barcode: `BULK-${i}` })),
    });
    await api.db.prisma.patient.createMany({ data: [{ clinicId: clinic.id, firstName: 'Former', lastName: 'Patient', barcode: 'FORMER-1', active: false }] });
    assert.equal(await activePatients(clinic.id), 249);

    const last = (await create(desk, { firstName: 'Last', lastName: 'Place' }).expect(201)).body as PatientBody;
    assert.equal(await activePatients(clinic.id), 250);
    const err = expectError(await create(desk, { firstName: 'One', lastName: 'Toomany' }), 402, 'LICENSE_LIMIT_EXCEEDED');
    assert.deepEqual(err.details, { metric: 'PATIENTS', limit: 250, current: 250, tier: 'S' });
    assert.equal(await api.db.prisma.patient.count({ where: { lastName: 'Toomany' } }), 0);

    const former = await api.db.prisma.patient.findFirstOrThrow({ where: { clinicId: clinic.id, barcode: 'FORMER-1' } });
    expectError(await api.http.patch(`${PATIENTS}/${former.id}`).set(bearer(desk)).send({ active: true }), 402, 'LICENSE_LIMIT_EXCEEDED');
    assert.equal((await api.db.prisma.patient.findUniqueOrThrow({ where: { id: former.id } })).active, false);

    // Freeing a place lets exactly one patient back in.
    await api.http.patch(`${PATIENTS}/${last.id}`).set(bearer(desk)).send({ active: false }).expect(200);
    await api.http.patch(`${PATIENTS}/${former.id}`).set(bearer(desk)).send({ active: true }).expect(200);
    expectError(await api.http.patch(`${PATIENTS}/${last.id}`).set(bearer(desk)).send({ active: true }), 402, 'LICENSE_LIMIT_EXCEEDED');
    assert.equal(await activePatients(clinic.id), 250);
    // Editing an active patient at the limit is not a licence question.
    await api.http.patch(`${PATIENTS}/${former.id}`).set(bearer(desk)).send({ lastName: 'Returned', active: true }).expect(200);
  });

  test('a suspended clinic can read patients but not add or change them', async () => {
    const clinic = await createClinic(api, { tier: 'L', status: 'SUSPENDED' });
    const desk = await actor(api, 'RECEPTIONIST', clinic.id);
    const existing = await api.db.prisma.patient.create({ data: { clinicId: clinic.id, firstName: 'Frozen', lastName: 'Record', barcode: 'FROZEN-1' } });
    assert.equal((await list(desk, {})).data.length, 1);
    await api.http.get(`${PATIENTS}/${existing.id}`).set(bearer(desk)).expect(200);
    expectError(await create(desk, { firstName: 'New', lastName: 'Arrival' }), 403, 'SUBSCRIPTION_INACTIVE');
    expectError(await api.http.patch(`${PATIENTS}/${existing.id}`).set(bearer(desk)).send({ lastName: 'Thawed' }), 403, 'SUBSCRIPTION_INACTIVE');
    // Platform staff have no clinic of their own: the clinic they name is read for its subscription.
    const platform = await actor(api, 'SUPER_ADMIN', null);
    expectError(await api.http.patch(`${PATIENTS}/${existing.id}`).set(bearer(platform)).set('X-Clinic-Id', clinic.id).send({ lastName: 'Thawed' }), 403, 'SUBSCRIPTION_INACTIVE');
    assert.equal(await api.db.prisma.patient.count({ where: { clinicId: clinic.id } }), 1);
    assert.equal((await api.db.prisma.patient.findUniqueOrThrow({ where: { id: existing.id } })).lastName, 'Record');
  });

  test('logs carry no PHI, passwords or tokens', async () => {
    const clinic = await createClinic(api, { tier: 'L' });
    const desk = await actor(api, 'RECEPTIONIST', clinic.id);
    const phi = { firstName: 'Zebulon', lastName: 'Quixote', email: 'zebulon.quixote@example.net', phone: '+44 20 7946 0999', dateOfBirth: '1971-04-05' };
    const created = (await create(desk, phi).expect(201)).body as PatientBody;
    const found = await list(desk, { q: 'Quixote' });
    assert.deepEqual(found.data.map((p) => p.id), [created.id]);
    await api.http.get(PATIENTS).query({ q: phi.email }).set(bearer(desk)).expect(200);
    await api.http.patch(`${PATIENTS}/${created.id}`).set(bearer(desk)).send({ phone: '+44 20 7946 0888' }).expect(200);
    expectError(await create(desk, { ...phi, email: 'zebulon.quixote-at-example' }), 400, 'VALIDATION_ERROR');

    const login = await api.http.post('/api/v1/auth/login').send({ email: desk.email, password: PASSWORD }).expect(200);
    const first = login.body as { accessToken: string; refreshToken: string };
    const refreshed = (await api.http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body as typeof first;
    await api.http.get(`${PATIENTS}/${created.id}`).set('Authorization', `Bearer ${refreshed.accessToken}`).expect(200);
    await api.http.post('/api/v1/auth/login').send({ email: desk.email, password: 'wrong-password-zebulon' }).expect(401);

    const logs = api.logs();
    assert.ok(logs.includes('/api/v1/patients'), 'request paths are logged');
    assert.ok(logs.includes('/api/v1/auth/refresh'), 'request paths are logged');
    const forbidden: Record<string, string> = {
      firstName: phi.firstName,
      lastName: phi.lastName,
      email: phi.email,
      phone: phi.phone,
      newPhone: '7946 0888',
      dateOfBirth: phi.dateOfBirth,
      password: PASSWORD,
      wrongPassword: 'wrong-password-zebulon',
      accessToken: first.accessToken,
      refreshedAccessToken: refreshed.accessToken,
      refreshToken: first.refreshToken,
      refreshedRefreshToken: refreshed.refreshToken,
      actorToken: desk.token,
      jwtSecret: api.config.JWT_SECRET,
    };
    for (const [what, value] of Object.entries(forbidden)) assert.ok(!logs.toLowerCase().includes(value.toLowerCase()), `logs contain the ${what}`);
  });
});
