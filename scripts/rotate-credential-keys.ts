/**
 * `npm run credentials:rotate`: re-seals every clinic's provider secrets, staff accounts'
 * two-factor secrets and patients' clinical fields under the current CREDENTIAL_ENCRYPTION_KEY_ID. Run it after adding a new key to CREDENTIAL_ENCRYPTION_KEYS and
 * making it current; once it reports nothing stale, the old key can leave the ring.
 * Each row is re-sealed in its own transaction under a row lock; running it twice is harmless.
 */
import { pathToFileURL } from 'node:url';
import { clinicalFieldBinding, SEALED_PATIENT_FIELDS } from '../api/services/clinical-fields';
import { parseConfig } from '../domain/config';
import { createPrismaClient, type PrismaClient } from '../prisma/client';
import { storedProvidersSchema, resealStale } from '../prisma/communication-config';
import { CredentialCipher, totpSecretBinding } from '../prisma/credential-cipher';
import { type Prisma } from '../prisma/generated/client';

/** Two-factor secrets sealed under an older key, re-sealed one row at a time under a row lock. */
async function resealTwoFactorSecrets(prisma: PrismaClient, cipher: CredentialCipher): Promise<number> {
  const rows = await prisma.staffTwoFactor.findMany({ select: { id: true, secretSealed: true }, orderBy: { id: 'asc' } });
  let resealed = 0;
  for (const { id } of rows.filter((row) => cipher.isStale(row.secretSealed))) {
    resealed += await prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "StaffTwoFactor" WHERE id = ${id}::uuid FOR UPDATE`;
      const row = await tx.staffTwoFactor.findUnique({ where: { id } });
      if (!row || !cipher.isStale(row.secretSealed)) return 0;
      const binding = totpSecretBinding(row.userId);
      await tx.staffTwoFactor.update({ where: { id }, data: { secretSealed: cipher.seal(cipher.open(row.secretSealed, binding), binding) } });
      return 1;
    });
  }
  return resealed;
}

/** Patients' clinical fields sealed under an older key, re-sealed one patient at a time under a row lock. */
async function resealPatientFields(prisma: PrismaClient, cipher: CredentialCipher): Promise<number> {
  const anySealed = SEALED_PATIENT_FIELDS.map((field) => ({ [field]: { not: null } }));
  const select = Object.fromEntries(SEALED_PATIENT_FIELDS.map((field) => [field, true])) as Record<(typeof SEALED_PATIENT_FIELDS)[number], true>;
  const rows = await prisma.patient.findMany({ where: { OR: anySealed }, select: { id: true, ...select }, orderBy: { id: 'asc' } });
  const stale = (row: Partial<Record<(typeof SEALED_PATIENT_FIELDS)[number], string | null>>) => SEALED_PATIENT_FIELDS.filter((f) => row[f] && cipher.isStale(row[f]));
  let resealed = 0;
  for (const { id } of rows.filter((row) => stale(row).length > 0)) {
    resealed += await prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Patient" WHERE id = ${id}::uuid FOR UPDATE`;
      const row = await tx.patient.findUnique({ where: { id } });
      if (!row) return 0;
      const fields = stale(row);
      const data = Object.fromEntries(fields.map((f) => [f, cipher.seal(cipher.open(row[f]!, clinicalFieldBinding(row.clinicId, row.id, f)), clinicalFieldBinding(row.clinicId, row.id, f))]));
      if (fields.length) await tx.patient.update({ where: { id }, data });
      return fields.length;
    });
  }
  return resealed;
}

export async function rotateCredentialKeys(
  prisma: PrismaClient,
  cipher: CredentialCipher,
): Promise<{ configs: number; resealed: number; twoFactorSecrets: number; patientFields: number }> {
  const ids = await prisma.communicationConfig.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  let resealed = 0;
  for (const { id } of ids) {
    resealed += await prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "CommunicationConfig" WHERE id = ${id}::uuid FOR UPDATE`;
      const row = await tx.communicationConfig.findUniqueOrThrow({ where: { id } });
      const result = resealStale(cipher, { clinicId: row.clinicId, channel: row.channel }, storedProvidersSchema.parse(row.providers));
      if (result.resealed > 0) await tx.communicationConfig.update({ where: { id }, data: { providers: result.providers as Prisma.InputJsonValue } });
      return result.resealed;
    });
  }
  return { configs: ids.length, resealed, twoFactorSecrets: await resealTwoFactorSecrets(prisma, cipher), patientFields: await resealPatientFields(prisma, cipher) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = parseConfig(process.env);
  const prisma = createPrismaClient(config.DATABASE_URL, { max: 2 });
  rotateCredentialKeys(prisma, new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID))
    .then(({ configs, resealed, twoFactorSecrets, patientFields }) =>
      console.log(
        `re-sealed ${resealed} secret(s) in ${configs} channel configuration(s), ${twoFactorSecrets} two-factor secret(s) and ${patientFields} patient field(s) under key ${config.CREDENTIAL_ENCRYPTION_KEY_ID}`,
      ),
    )
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    })
    .finally(() => void prisma.$disconnect());
}
