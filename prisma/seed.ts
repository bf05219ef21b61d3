/**
 * Seed data: the platform's super admin and, for demos, one clinic with staff and patients.
 * Runs at every start of the local stack (scripts/stack/start.ts), so it is idempotent: rows are
 * found by their natural keys (email; clinicId + barcode; the demo clinic's fixed id) and rows
 * that already exist are left exactly as they are. People change passwords and details after
 * the first start; a restart must not undo that.
 *
 * When `npm start` runs its local mail inbox, it also points the demo clinic's email there
 * (ensureDemoEmailToInbox), unless the clinic's email is configured already.
 *
 * Run alone: `npm run seed` (reads the configuration from the environment like every process).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import bcrypt from 'bcryptjs';
import { ensureDemoBilling } from './seed-billing';
import { smtpDescriptor } from '../activities/messaging/providers/email/smtp/descriptor';
import { channelSettingsSchema } from '../domain/messaging';
import { type Config, parseConfig } from '../domain/config';
import { createPrismaClient, type Db, type PrismaClient } from './client';
import { sealProvider } from './communication-config';
import { ensureDemoCatalogueAndStock } from './seed-clinical';
import { type CredentialCipher } from './credential-cipher';
import { ensureDemoPackages } from './seed-packages';
import { ensureDemoReportTemplate } from './seed-progress-reports';
import { ensureDemoReportData } from './seed-reports';

/** Fixed, so every start finds the demo clinic it created before (and docs can name it). */
export const DEMO_CLINIC_ID = '5c1f0000-0000-4000-8000-000000000001';
export const DEMO_CLINIC_NAME = 'Sunrise Therapy Centre';
const DEMO_EMAIL_DOMAIN = 'sunrise.clinicflow.test';

export interface SeedOptions {
  superAdmin?: { email: string; password: string };
  /** Password of every demo staff account; without it the demo clinic gets no staff. */
  demoStaffPassword?: string;
  seedDemo: boolean;
  bcryptCost: number;
  /**
   * Set by `npm start` only when it runs its local mail inbox: the demo clinic's email is sent
   * there. The cipher seals the SMTP password as the API would.
   */
  demoInbox?: { smtpPort: number; cipher: CredentialCipher };
}

export interface SeededAccount {
  email: string;
  role: Db.StaffRole;
  /** false: the account existed already and was left untouched. */
  created: boolean;
}

export interface SeedSummary {
  superAdmin?: SeededAccount;
  demoClinic?: { id: string; name: string; created: boolean };
  demoStaff: SeededAccount[];
  demoPatients: { created: number; existing: number };
  /** Whether the demo clinic's email now goes to the local inbox (only when demoInbox was given). */
  demoEmail?: { created: boolean };
  /** Parts not seeded and why, for the caller to print. */
  skipped: string[];
}

interface StaffSeed {
  email: string;
  role: Db.StaffRole;
  firstName: string;
  lastName: string;
  phone?: string;
}

const demoEmail = (local: string) => `${local}@${DEMO_EMAIL_DOMAIN}`;

// Phone numbers are in the 555-01xx range, which is reserved for fiction.
export const DEMO_STAFF: readonly StaffSeed[] = [
  { email: demoEmail('admin'), role: 'CLINIC_ADMIN', firstName: 'Asha', lastName: 'Raman', phone: '+12025550101' },
  { email: demoEmail('manager'), role: 'MANAGER', firstName: 'Vikram', lastName: 'Mehta', phone: '+12025550102' },
  { email: demoEmail('therapist1'), role: 'THERAPIST', firstName: 'Priya', lastName: 'Nair', phone: '+12025550103' },
  { email: demoEmail('therapist2'), role: 'THERAPIST', firstName: 'Daniel', lastName: 'Ortiz', phone: '+12025550104' },
  { email: demoEmail('doctor'), role: 'DOCTOR', firstName: 'Meera', lastName: 'Iyer', phone: '+12025550105' },
  { email: demoEmail('reception'), role: 'RECEPTIONIST', firstName: 'Rohan', lastName: 'Das', phone: '+12025550106' },
  { email: demoEmail('accounts'), role: 'ACCOUNTANT', firstName: 'Lucía', lastName: 'Fernández', phone: '+12025550107' },
  { email: demoEmail('stock'), role: 'INVENTORY_MANAGER', firstName: 'Arjun', lastName: 'Pillai', phone: '+12025550108' },
];

type PatientSeed = Omit<Db.Prisma.PatientCreateManyInput, 'clinicId' | 'id' | 'createdAt' | 'updatedAt'>;

const born = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`);

export const DEMO_PATIENTS: readonly PatientSeed[] = [
  {
    barcode: 'SUN-000001', firstName: 'Aarav', lastName: 'Sharma', dateOfBirth: born('2016-04-12'), gender: 'male',
    preferredLanguage: 'hi',
    // A child: the clinic talks to the guardian.
    guardianName: 'Neha Sharma', guardianRelationship: 'mother', guardianPhone: '+12025550121', guardianEmail: 'neha.sharma@example.com',
  },
  { barcode: 'SUN-000002', firstName: 'Ananya', lastName: 'Gupta', dateOfBirth: born('1988-09-03'), gender: 'female', preferredLanguage: 'hi', phone: '+12025550122', email: 'ananya.gupta@example.com' },
  { barcode: 'SUN-000003', firstName: 'Carlos', lastName: 'Mendoza', dateOfBirth: born('1979-01-27'), gender: 'male', preferredLanguage: 'es', phone: '+12025550123', email: 'carlos.mendoza@example.com' },
  { barcode: 'SUN-000004', firstName: 'Emily', lastName: 'Carter', dateOfBirth: born('1992-06-15'), gender: 'female', preferredLanguage: 'en', phone: '+12025550124', email: 'emily.carter@example.com' },
  { barcode: 'SUN-000005', firstName: 'Ishaan', lastName: 'Kapoor', dateOfBirth: born('1965-11-30'), gender: 'male', preferredLanguage: 'en', phone: '+12025550125' },
  { barcode: 'SUN-000006', firstName: 'Sofía', lastName: 'Ramírez', dateOfBirth: born('2001-02-08'), gender: 'female', preferredLanguage: 'es', email: 'sofia.ramirez@example.com' },
  { barcode: 'SUN-000007', firstName: 'Kavya', lastName: 'Reddy', dateOfBirth: born('1995-08-21'), gender: 'female', preferredLanguage: 'en', phone: '+12025550127', email: 'kavya.reddy@example.com' },
  { barcode: 'SUN-000008', firstName: 'Rahul', lastName: 'Verma', dateOfBirth: born('1983-12-05'), gender: 'male', preferredLanguage: 'hi', phone: '+12025550128' },
];

export async function seedDatabase(prisma: PrismaClient, opts: SeedOptions): Promise<SeedSummary> {
  const summary: SeedSummary = { demoStaff: [], demoPatients: { created: 0, existing: 0 }, skipped: [] };

  if (opts.superAdmin) {
    summary.superAdmin = await ensureStaff(prisma, null, {
      email: opts.superAdmin.email, role: 'SUPER_ADMIN', firstName: 'Platform', lastName: 'Administrator',
    }, opts.superAdmin.password, opts.bcryptCost);
  } else {
    summary.skipped.push('super admin: SUPERADMIN_EMAIL / SUPERADMIN_PASSWORD are not set');
  }

  if (!opts.seedDemo) return summary;

  const clinic = await ensureDemoClinic(prisma);
  summary.demoClinic = clinic;
  if (opts.demoStaffPassword) {
    for (const staff of DEMO_STAFF) {
      summary.demoStaff.push(await ensureStaff(prisma, clinic.id, staff, opts.demoStaffPassword, opts.bcryptCost));
    }
  } else {
    summary.skipped.push('demo staff: DEMO_STAFF_PASSWORD is not set');
  }
  summary.demoPatients = await ensureDemoPatients(prisma, clinic.id);
  await ensureDemoSchedules(prisma, clinic.id);
  await ensureDemoBalances(prisma, clinic.id);
  await ensureDemoCatalogueAndStock(prisma, clinic.id);
  await ensureDemoBilling(prisma, clinic.id);
  await ensureDemoPackages(prisma, clinic.id);
  await ensureDemoReportTemplate(prisma, clinic.id);
  await ensureDemoReportData(prisma, clinic.id);
  if (opts.demoInbox) summary.demoEmail = await ensureDemoEmailToInbox(prisma, clinic.id, opts.demoInbox);
  return summary;
}

async function ensureDemoClinic(prisma: PrismaClient): Promise<{ id: string; name: string; created: boolean }> {
  const existing = await prisma.clinic.findUnique({ where: { id: DEMO_CLINIC_ID }, select: { id: true, name: true } });
  if (existing) return { ...existing, created: false };
  // ON CONFLICT DO NOTHING: two processes seeding at once must not fail on the second insert.
  const { count } = await prisma.clinic.createMany({
    data: [{
      id: DEMO_CLINIC_ID,
      name: DEMO_CLINIC_NAME,
      type: 'THERAPY_CENTER',
      timezone: 'Asia/Kolkata',
      currency: 'INR',
      licenseTierCode: 'M',
      subscriptionStatus: 'ACTIVE',
      // Payment reminders by SMS as the default, falling back to e-mail: the demo has no SMS provider, so they show in the local inbox.
      settings: { paymentReminders: { channels: ['sms', 'email'] } },
    }],
    skipDuplicates: true,
  });
  const clinic = await prisma.clinic.findUniqueOrThrow({ where: { id: DEMO_CLINIC_ID }, select: { id: true, name: true } });
  return { ...clinic, created: count === 1 };
}

/** Creates the account if its email is free; an existing account (and its password) stays as it is. */
async function ensureStaff(
  prisma: PrismaClient,
  clinicId: string | null,
  seed: StaffSeed,
  password: string,
  bcryptCost: number,
): Promise<SeededAccount> {
  // Logins compare lower-cased emails.
  const email = seed.email.trim().toLowerCase();
  const existing = await prisma.staffUser.findUnique({ where: { email }, select: { role: true } });
  if (existing) return { email, role: existing.role, created: false };
  // Hashing is deliberately slow, so it only happens for accounts that are really created.
  const passwordHash = await bcrypt.hash(password, bcryptCost);
  // ON CONFLICT DO NOTHING, as for the clinic: whoever inserts first wins, the other finds the row.
  const { count } = await prisma.staffUser.createMany({
    data: [{ ...seed, email, clinicId, passwordHash }],
    skipDuplicates: true,
  });
  if (count === 1) return { email, role: seed.role, created: true };
  const user = await prisma.staffUser.findUniqueOrThrow({ where: { email }, select: { role: true } });
  return { email, role: user.role, created: false };
}

/** What the demo therapy centre offers, priced in rupees. */
const DEMO_THERAPY_TYPES = [
  { name: 'Speech therapy', defaultDurationMinutes: 45, defaultPrice: '1200.00', currency: 'INR' },
  { name: 'Occupational therapy', defaultDurationMinutes: 60, defaultPrice: '1500.00', currency: 'INR' },
  { name: 'Physiotherapy', defaultDurationMinutes: 45, defaultPrice: '1000.00', currency: 'INR' },
] as const;

/** Monday to Saturday 09:00–18:00 with a lunch break, in the clinic's zone. */
const DEMO_WEEK = {
  weekly: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '18:00' })),
  breaks: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '13:00', end: '14:00' })),
};

/**
 * Therapy types and the practitioners' working hours, so a newcomer can look up free slots and
 * book at once. Rows already there (and their edits) are left alone.
 */
async function ensureDemoSchedules(prisma: PrismaClient, clinicId: string): Promise<void> {
  await prisma.therapyType.createMany({ data: DEMO_THERAPY_TYPES.map((t) => ({ ...t, clinicId })), skipDuplicates: true });
  const practitioners = await prisma.staffUser.findMany({ where: { clinicId, role: { in: ['DOCTOR', 'THERAPIST'] } }, select: { id: true } });
  await prisma.practitionerSchedule.createMany({
    data: practitioners.map((p) => ({ clinicId, practitionerId: p.id, ...DEMO_WEEK })),
    skipDuplicates: true,
  });
}

/** Two past sessions nobody has paid for yet, so a payment-reminder run has someone to remind. */
const DEMO_UNPAID = [
  { id: '019a0000-0000-7000-8000-00000000d001', barcode: 'SUN-000004', startsAt: '2026-10-06T04:30:00Z', price: '1200.00' },
  { id: '019a0000-0000-7000-8000-00000000d002', barcode: 'SUN-000007', startsAt: '2026-10-07T05:30:00Z', price: '1500.00' },
] as const;

async function ensureDemoBalances(prisma: PrismaClient, clinicId: string): Promise<void> {
  const therapist = await prisma.staffUser.findFirst({ where: { clinicId, role: 'THERAPIST' }, orderBy: { email: 'asc' }, select: { id: true } });
  if (!therapist) return;
  const patients = await prisma.patient.findMany({ where: { clinicId, barcode: { in: DEMO_UNPAID.map((u) => u.barcode) } }, select: { id: true, barcode: true } });
  await prisma.appointment.createMany({
    data: DEMO_UNPAID.flatMap((u) => {
      const patient = patients.find((p) => p.barcode === u.barcode);
      if (!patient) return [];
      const startsAt = new Date(u.startsAt);
      return [{
        id: u.id, clinicId, reservationId: `APT-DEMO${u.id.slice(-4)}`, patientId: patient.id, practitionerId: therapist.id,
        type: 'TREATMENT' as const, bookingMode: 'SPECIFIC_TIME' as const, status: 'COMPLETED' as const, startsAt,
        endsAt: new Date(startsAt.getTime() + 45 * 60_000), completedAt: new Date(startsAt.getTime() + 45 * 60_000), price: u.price,
        idempotencyKey: `demo-${u.id}`, workflowId: `appointment/${clinicId}/${u.id}`,
      }];
    }),
    skipDuplicates: true,
  });
}

async function ensureDemoPatients(prisma: PrismaClient, clinicId: string): Promise<{ created: number; existing: number }> {
  // ON CONFLICT (clinicId, barcode) DO NOTHING: existing patients keep any edits made since.
  const { count } = await prisma.patient.createMany({
    data: DEMO_PATIENTS.map((p) => ({ ...p, clinicId })),
    skipDuplicates: true,
  });
  return { created: count, existing: DEMO_PATIENTS.length - count };
}

/**
 * Sends the demo clinic's email to the launcher's local mail inbox: an SMTP configuration stored
 * exactly as `PUT /clinics/:id/communication/email` stores one (checked against the provider's
 * credential schema, password sealed). Only when the clinic has no email configuration at all, so
 * an admin's own configuration is never replaced. (One the admin deleted comes back at the next
 * start: with none, the demo clinic's mail would go nowhere a newcomer can see.)
 */
export async function ensureDemoEmailToInbox(
  prisma: PrismaClient,
  clinicId: string,
  inbox: { smtpPort: number; cipher: CredentialCipher },
): Promise<{ created: boolean }> {
  const where = { clinicId, channel: 'email' } as const;
  const existing = await prisma.communicationConfig.findUnique({ where: { clinicId_channel: where }, select: { id: true } });
  if (existing) return { created: false };
  const credentials = {
    host: '127.0.0.1',
    port: inbox.smtpPort,
    secure: false,
    username: 'sunrise',
    // The inbox accepts any password; a random one means no known secret sits in the database.
    password: randomBytes(18).toString('base64url'),
    fromAddress: demoEmail('appointments'),
    fromName: DEMO_CLINIC_NAME,
  };
  smtpDescriptor.credentials.parse(credentials);
  const stored = sealProvider(inbox.cipher, where, { id: randomUUID(), label: 'Local inbox', provider: smtpDescriptor.provider }, credentials, smtpDescriptor.secretFields);
  // ON CONFLICT DO NOTHING: a configuration saved meanwhile (or by a concurrent seed) wins.
  const { count } = await prisma.communicationConfig.createMany({
    data: [{ ...where, enabled: true, providers: [stored] as Db.Prisma.InputJsonValue, settings: channelSettingsSchema.parse({}) }],
    skipDuplicates: true,
  });
  return { created: count === 1 };
}

/** What the configuration asks to seed (SUPERADMIN_*, DEMO_STAFF_PASSWORD, SEED_DEMO, BCRYPT_COST). */
export function seedOptionsFromConfig(config: Config): SeedOptions {
  return {
    superAdmin:
      config.SUPERADMIN_EMAIL && config.SUPERADMIN_PASSWORD
        ? { email: config.SUPERADMIN_EMAIL, password: config.SUPERADMIN_PASSWORD }
        : undefined,
    demoStaffPassword: config.DEMO_STAFF_PASSWORD,
    seedDemo: config.SEED_DEMO,
    bcryptCost: config.BCRYPT_COST,
  };
}

/** One line per seeded part, without any password. */
export function describeSeed(summary: SeedSummary): string[] {
  const state = (created: boolean) => (created ? 'created' : 'already there');
  const lines: string[] = [];
  if (summary.superAdmin) lines.push(`super admin ${summary.superAdmin.email}: ${state(summary.superAdmin.created)}`);
  if (summary.demoClinic) lines.push(`demo clinic "${summary.demoClinic.name}" (${summary.demoClinic.id}): ${state(summary.demoClinic.created)}`);
  if (summary.demoStaff.length) {
    const created = summary.demoStaff.filter((s) => s.created).length;
    lines.push(`demo staff: ${created} created, ${summary.demoStaff.length - created} already there`);
  }
  if (summary.demoClinic) lines.push(`demo patients: ${summary.demoPatients.created} created, ${summary.demoPatients.existing} already there`);
  if (summary.demoEmail) {
    lines.push(`demo clinic email: ${summary.demoEmail.created ? 'sent to the local mail inbox' : 'already configured, left as it is'}`);
  }
  return [...lines, ...summary.skipped.map((s) => `skipped ${s}`)];
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const prisma = createPrismaClient(config.DATABASE_URL, { max: 2 });
  try {
    const summary = await seedDatabase(prisma, seedOptionsFromConfig(config));
    for (const line of describeSeed(summary)) console.log(`[seed] ${line}`);
  } finally {
    await prisma.$disconnect();
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(entry).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
