/**
 * What the benchmarks book against: clinics on a tier without practical limits, each with
 * practitioners who work round the clock, patients, and a receptionist signed in through the API.
 */
import bcrypt from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import { type PrismaClient } from '../../prisma/client';

export const BENCH_TIER = 'BENCH';
const PASSWORD = 'bench-password-0123456789';
const ROUND_THE_CLOCK = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));

export interface BenchClinic {
  id: string;
  token: string;
  practitionerIds: string[];
  patientIds: string[];
}

export async function ensureBenchTier(prisma: PrismaClient): Promise<void> {
  await prisma.licenseTier.upsert({
    where: { code: BENCH_TIER },
    create: { code: BENCH_TIER, name: 'Benchmark', rank: 1000, maxStaff: 100_000, maxPatients: 1_000_000, maxAppointmentsPerMonth: 10_000_000, monthlyPrice: 0 },
    update: {},
  });
}

/** One clinic with `practitioners` practitioners and as many patients (pairs book together, so every slot is distinct for both). */
export async function createBenchClinic(prisma: PrismaClient, apiUrl: string, name: string, practitioners: number): Promise<BenchClinic> {
  const clinic = await prisma.clinic.create({
    data: { name, timezone: 'UTC', licenseTierCode: BENCH_TIER, settings: { appointments: { reminderChannels: ['email'] } } },
  });
  const passwordHash = await bcrypt.hash(PASSWORD, 4);
  const tag = randomUUID().slice(0, 8);
  const desk = await prisma.staffUser.create({ data: { clinicId: clinic.id, email: `desk-${tag}@bench.clinicflow.test`, role: 'RECEPTIONIST', firstName: 'Desk', lastName: 'Bench', passwordHash } });
  const practitionerIds: string[] = [];
  const patientIds: string[] = [];
  for (let i = 0; i < practitioners; i++) {
    const p = await prisma.staffUser.create({ data: { clinicId: clinic.id, email: `therapist-${i}-${tag}@bench.clinicflow.test`, role: 'THERAPIST', firstName: 'Thera', lastName: `Pist ${i}`, passwordHash } });
    await prisma.practitionerSchedule.create({ data: { clinicId: clinic.id, practitionerId: p.id, weekly: ROUND_THE_CLOCK } });
    practitionerIds.push(p.id);
    const patient = await prisma.patient.create({ data: { clinicId: clinic.id, firstName: 'Pat', lastName: `Ient ${i}`, email: `patient-${i}-${tag}@patients.test`, barcode: `B-${tag}-${i}` } });
    patientIds.push(patient.id);
  }
  const login = await fetch(`${apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: desk.email, password: PASSWORD }) });
  if (login.status !== 200) throw new Error(`the bench receptionist could not sign in: ${login.status}`);
  const { accessToken } = (await login.json()) as { accessToken: string };
  return { id: clinic.id, token: accessToken, practitionerIds, patientIds };
}

/**
 * The n-th booking of a clinic: practitioner and patient pair n mod P, in slot n div P, half an
 * hour each, from two days ahead (past the hour, so no slot is ever in the past while the bench runs).
 */
export function nthSlot(clinic: BenchClinic, n: number, from: Date): { practitionerId: string; patientId: string; startsAt: string } {
  const pair = n % clinic.practitionerIds.length;
  const slot = Math.floor(n / clinic.practitionerIds.length);
  return { practitionerId: clinic.practitionerIds[pair]!, patientId: clinic.patientIds[pair]!, startsAt: new Date(from.getTime() + slot * 30 * 60_000).toISOString() };
}

export const bookingStart = () => new Date(Math.ceil((Date.now() + 48 * 3_600_000) / 3_600_000) * 3_600_000);
