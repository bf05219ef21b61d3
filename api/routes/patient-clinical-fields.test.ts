/**
 * A patient's clinical fields and emergency contact: sealed in their columns (ciphertext, bound to
 * the patient), opened for the roles the matrix allows and left out for the others, refused (403)
 * to writers who may not change them, redacted in the audit trail and absent from the logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { can } from '../../domain/permissions';
import { CLINIC_ROLES, type ClinicRole } from '../../domain/roles';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { insertAppointment } from '../../test/support/scheduling';

const CLINICAL = { allergies: 'Penicillin', medications: 'Ibuprofen 200 mg', medicalNotes: 'Left knee replaced 2019', address: '12 Elm Row, Leeds' };
const CONTACT = { name: 'Jonas Berg', relationship: 'brother', phone: '+44 20 7946 0111' };
const SEALED = ['allergies', 'medications', 'medicalNotes', 'address', 'emergencyContact'] as const;

/** What each clinic role sees of them (practitioners: of a patient they treat). */
const MATRIX: Record<ClinicRole, readonly (typeof SEALED)[number][]> = {
  CLINIC_ADMIN: SEALED,
  DOCTOR: SEALED,
  THERAPIST: SEALED,
  NURSE: SEALED,
  MANAGER: ['emergencyContact'],
  RECEPTIONIST: ['emergencyContact'],
  ACCOUNTANT: [],
  INVENTORY_MANAGER: [],
};

describe('clinical patient fields', () => {
  let api: TestApi;
  let clinicId: string;
  const who = {} as Record<ClinicRole, Actor>;
  let patientId: string;

  before(async () => {
    api = await startTestApi();
    clinicId = (await createClinic(api, { tier: 'L' })).id;
    for (const role of CLINIC_ROLES) who[role] = await actor(api, role, clinicId);
    const res = await api.http
      .post('/api/v1/patients')
      .set(bearer(who.CLINIC_ADMIN))
      .send({ firstName: 'Ines', lastName: 'Moreau', ...CLINICAL, emergencyContact: CONTACT })
      .expect(201);
    patientId = (res.body as { id: string }).id;
    // Each practitioner treats the patient, so their own-patients restriction lets them read it.
    for (const [i, role] of (['DOCTOR', 'THERAPIST', 'NURSE'] as const).entries()) {
      await insertAppointment(api, { clinicId, patientId, practitionerId: who[role].id, startsAt: `2026-06-0${i + 1}T09:00:00Z`, endsAt: `2026-06-0${i + 1}T09:30:00Z` });
    }
  });
  after(async () => {
    await api.close();
  });

  test('the columns hold ciphertext, not the values', async () => {
    const row = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: patientId } });
    for (const field of SEALED) {
      const stored = row[field]!;
      assert.match(stored, /^v1\.[^.]+\.[\w-]+\.[\w-]+\.[\w-]+$/, `${field} is sealed`);
    }
    const raw = JSON.stringify(row);
    for (const value of [...Object.values(CLINICAL), CONTACT.name, CONTACT.phone]) assert.ok(!raw.includes(value), `${value} is not stored in the clear`);
  });

  test('a sealed value copied to another patient does not open there', async () => {
    const other = await api.db.prisma.patient.create({ data: { clinicId, firstName: 'Copy', lastName: 'Target', barcode: 'COPY-1' } });
    const row = await api.db.prisma.patient.findUniqueOrThrow({ where: { id: patientId } });
    await api.db.prisma.patient.update({ where: { id: other.id }, data: { allergies: row.allergies } });
    const res = await api.http.get(`/api/v1/patients/${other.id}`).set(bearer(who.CLINIC_ADMIN));
    assert.equal(res.status, 500, 'refused rather than shown');
    assert.ok(!JSON.stringify(res.body).includes('Penicillin'));
    await api.db.prisma.patient.update({ where: { id: other.id }, data: { allergies: null } });
  });

  test('role × field: each role reads exactly the fields the matrix gives it, in plain text', async () => {
    for (const role of CLINIC_ROLES) {
      // The inventory manager reads no patients at all.
      if (!can(role, 'patient:read')) {
        await api.http.get(`/api/v1/patients/${patientId}`).set(bearer(who[role])).expect(403);
        continue;
      }
      const res = await api.http.get(`/api/v1/patients/${patientId}`).set(bearer(who[role])).expect(200);
      const body = res.body as Record<string, unknown>;
      const visible = SEALED.filter((f) => f in body);
      assert.deepEqual(visible, [...MATRIX[role]], `${role} sees ${visible.join(', ')}`);
      assert.equal(can(role, 'patient-clinical:read'), MATRIX[role].includes('allergies'), `${role}: the matrix agrees with the permissions`);
      for (const f of visible) assert.deepEqual(body[f], f === 'emergencyContact' ? CONTACT : CLINICAL[f], `${role} reads ${f}`);
      // The list shows the same as the record.
      const list = (await api.http.get('/api/v1/patients').set(bearer(who[role])).expect(200)).body as { data: Record<string, unknown>[] };
      const inList = list.data.find((p) => p.id === patientId)!;
      assert.deepEqual(SEALED.filter((f) => f in inList), [...MATRIX[role]], `${role} in the list`);
    }
  });

  test('writes: the front desk changes the emergency contact only; clinicians the clinical fields; nothing clinical is logged or audited', async () => {
    const desk = await api.http.patch(`/api/v1/patients/${patientId}`).set(bearer(who.RECEPTIONIST)).send({ allergies: 'None' });
    const err = expectError(desk, 403, 'FIELD_NOT_ALLOWED');
    assert.deepEqual(err.details, [{ path: 'body.allergies', message: 'not allowed for your role' }]);
    const newContact = { ...CONTACT, phone: '+44 20 7946 0999' };
    await api.http.patch(`/api/v1/patients/${patientId}`).set(bearer(who.RECEPTIONIST)).send({ emergencyContact: newContact }).expect(200);
    expectError(await api.http.patch(`/api/v1/patients/${patientId}`).set(bearer(who.ACCOUNTANT)).send({ emergencyContact: null }), 403, 'FORBIDDEN');

    const changed = await api.http.patch(`/api/v1/patients/${patientId}`).set(bearer(who.DOCTOR)).send({ medications: 'Paracetamol 500 mg', address: null }).expect(200);
    const body = changed.body as Record<string, unknown>;
    assert.equal(body.medications, 'Paracetamol 500 mg');
    assert.equal(body.address, null);
    assert.deepEqual(body.emergencyContact, newContact);
    assert.equal(body.allergies, 'Penicillin', 'untouched fields stay');

    const trail = await api.db.prisma.auditLog.findMany({ where: { entityId: patientId, action: { in: ['patient.create', 'patient.update'] } } });
    assert.ok(trail.length >= 3);
    const text = JSON.stringify(trail);
    for (const value of ['Penicillin', 'Paracetamol', 'Jonas Berg', '7946 0999', 'Elm Row']) assert.ok(!text.includes(value), `${value} is not in the audit trail`);
    const update = trail.find((t) => (t.changes as { after?: Record<string, unknown> }).after?.medications !== undefined)!;
    assert.equal((update.changes as { after: Record<string, unknown> }).after.medications, '[redacted]');
    for (const value of ['Penicillin', 'Paracetamol', 'Jonas Berg', 'Elm Row']) assert.ok(!api.logs().includes(value), `${value} is not logged`);
  });
});
