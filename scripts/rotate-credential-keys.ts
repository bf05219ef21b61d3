/**
 * `npm run credentials:rotate`: re-seals every clinic's provider secrets under the current
 * CREDENTIAL_ENCRYPTION_KEY_ID. Run it after adding a new key to CREDENTIAL_ENCRYPTION_KEYS and
 * making it current; once it reports nothing stale, the old key can leave the ring.
 * Each row is re-sealed in its own transaction under a row lock; running it twice is harmless.
 */
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../domain/config';
import { createPrismaClient, type PrismaClient } from '../prisma/client';
import { storedProvidersSchema, resealStale } from '../prisma/communication-config';
import { CredentialCipher } from '../prisma/credential-cipher';
import { type Prisma } from '../prisma/generated/client';

export async function rotateCredentialKeys(prisma: PrismaClient, cipher: CredentialCipher): Promise<{ configs: number; resealed: number }> {
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
  return { configs: ids.length, resealed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = parseConfig(process.env);
  const prisma = createPrismaClient(config.DATABASE_URL, { max: 2 });
  rotateCredentialKeys(prisma, new CredentialCipher(config.CREDENTIAL_ENCRYPTION_KEYS, config.CREDENTIAL_ENCRYPTION_KEY_ID))
    .then(({ configs, resealed }) => console.log(`re-sealed ${resealed} secret(s) in ${configs} channel configuration(s) under key ${config.CREDENTIAL_ENCRYPTION_KEY_ID}`))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    })
    .finally(() => void prisma.$disconnect());
}
