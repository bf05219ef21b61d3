import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { openProvider, sealProvider, storedProvidersSchema } from '../prisma/communication-config';
import { ClinicalFields } from '../api/services/clinical-fields';
import { CredentialCipher, totpSecretBinding } from '../prisma/credential-cipher';
import { type Prisma } from '../prisma/generated/client';
import { createTestDatabase, type TestDatabase } from '../test/support/database';
import { rotateCredentialKeys } from './rotate-credential-keys';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => db?.drop());

test('rotation re-seals every stored secret under the new key and keeps every value', async () => {
  const oldKey = randomBytes(32).toString('base64');
  const before = new CredentialCipher(new Map([['2025', oldKey]]), '2025');
  const clinics = await Promise.all(['A', 'B'].map((name) => db.prisma.clinic.create({ data: { name, timezone: 'UTC', licenseTierCode: 'S' } })));
  for (const clinic of clinics) {
    const where = { clinicId: clinic.id, channel: 'email' };
    const providers = [
      sealProvider(before, where, { id: 'e-smtp', label: 'smtp', provider: 'smtp' }, { host: 'smtp.example.org', username: 'u', password: `pw-${clinic.name}-0123456789` }, ['password']),
      sealProvider(before, where, { id: 'e-ses', label: 'ses', provider: 'ses' }, { region: 'eu-west-1', accessKeyId: 'AKIA1', secretAccessKey: `sk-${clinic.name}-0123456789` }, ['secretAccessKey']),
    ];
    await db.prisma.communicationConfig.create({ data: { clinicId: clinic.id, channel: 'email', providers: providers as Prisma.InputJsonValue } });
  }

  const newKey = randomBytes(32).toString('base64');
  const after = new CredentialCipher(new Map([['2025', oldKey], ['2026', newKey]]), '2026');
  assert.deepEqual(await rotateCredentialKeys(db.prisma, after), { configs: 2, resealed: 4, twoFactorSecrets: 0, patientFields: 0 });
  assert.deepEqual(await rotateCredentialKeys(db.prisma, after), { configs: 2, resealed: 0, twoFactorSecrets: 0, patientFields: 0 }, 'a second run finds nothing stale');

  // The old key can now leave the ring.
  const onlyNewKey = new CredentialCipher(new Map([['2026', newKey]]), '2026');
  for (const row of await db.prisma.communicationConfig.findMany({ include: { clinic: true } })) {
    const providers = storedProvidersSchema.parse(row.providers);
    const where = { clinicId: row.clinicId, channel: row.channel };
    assert.equal(openProvider(onlyNewKey, where, providers[0]!).password, `pw-${row.clinic.name}-0123456789`);
    assert.equal(openProvider(onlyNewKey, where, providers[1]!).secretAccessKey, `sk-${row.clinic.name}-0123456789`);
    assert.equal(providers[0]!.settings.host, 'smtp.example.org', 'non-secret settings untouched');
  }
});

test('rotation re-seals staff accounts\' two-factor secrets too, still bound to their account', async () => {
  const oldKey = randomBytes(32).toString('base64');
  const before = new CredentialCipher(new Map([['2025', oldKey]]), '2025');
  const users = await Promise.all(
    ['ops-1', 'ops-2'].map((name) => db.prisma.staffUser.create({ data: { email: `${name}@rotation.test`, passwordHash: 'x', firstName: name, lastName: 'Ops', role: 'OPS' } })),
  );
  for (const user of users) {
    await db.prisma.staffTwoFactor.create({ data: { userId: user.id, secretSealed: before.seal(`SECRET${user.email.length}${user.firstName}`, totpSecretBinding(user.id)), enabledAt: new Date() } });
  }
  const newKey = randomBytes(32).toString('base64');
  const after = new CredentialCipher(new Map([['2025', oldKey], ['2026', newKey]]), '2026');
  assert.equal((await rotateCredentialKeys(db.prisma, after)).twoFactorSecrets, 2);
  assert.equal((await rotateCredentialKeys(db.prisma, after)).twoFactorSecrets, 0, 'a second run finds nothing stale');
  const onlyNewKey = new CredentialCipher(new Map([['2026', newKey]]), '2026');
  for (const user of users) {
    const row = await db.prisma.staffTwoFactor.findUniqueOrThrow({ where: { userId: user.id } });
    assert.equal(onlyNewKey.open(row.secretSealed, totpSecretBinding(user.id)), `SECRET${user.email.length}${user.firstName}`);
  }
});

test("rotation re-seals patients' clinical fields too, each still bound to its patient and column", async () => {
  const oldKey = randomBytes(32).toString('base64');
  const before = new ClinicalFields(new CredentialCipher(new Map([['2025', oldKey]]), '2025'));
  const clinic = await db.prisma.clinic.create({ data: { name: 'Fields', timezone: 'UTC', licenseTierCode: 'S' } });
  const patient = await db.prisma.patient.create({ data: { clinicId: clinic.id, firstName: 'Ines', lastName: 'Moreau', barcode: `F-${randomBytes(4).toString('hex')}` } });
  const contact = { name: 'Paul Moreau', relationship: 'husband', phone: '+33 1 23 45 67 89' };
  await db.prisma.patient.update({ where: { id: patient.id }, data: before.columns(clinic.id, patient.id, { allergies: 'Latex', medications: 'None', emergencyContact: contact }) });
  const newKey = randomBytes(32).toString('base64');
  const after = new CredentialCipher(new Map([['2025', oldKey], ['2026', newKey]]), '2026');
  assert.equal((await rotateCredentialKeys(db.prisma, after)).patientFields, 3);
  assert.equal((await rotateCredentialKeys(db.prisma, after)).patientFields, 0, 'a second run finds nothing stale');
  const onlyNewKey = new ClinicalFields(new CredentialCipher(new Map([['2026', newKey]]), '2026'));
  const row = await db.prisma.patient.findUniqueOrThrow({ where: { id: patient.id } });
  assert.deepEqual(onlyNewKey.view(row, 'CLINIC_ADMIN'), { allergies: 'Latex', medications: 'None', medicalNotes: null, address: null, emergencyContact: contact });
});
