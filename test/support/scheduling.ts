/** Fixtures for the scheduling tests: practitioners, patients, appointments and an API on a fixed clock. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import { type ApiDeps } from '../../api/deps';
import { type TestApi } from './api';

/** The same app and database as `api`, but availability treats `now` as the current time. */
export function apiAt(api: TestApi, now: Date): ReturnType<typeof supertest> {
  const deps: ApiDeps = { config: api.config, prisma: api.db.prisma, temporal: api.temporal, logger: pino({ level: 'silent' }), metrics: new Registry(), now: () => now };
  return supertest(createApp(deps));
}

export async function createPatient(api: TestApi, clinicId: string) {
  const code = randomUUID().slice(0, 8);
  return api.db.prisma.patient.create({ data: { clinicId, firstName: 'Pat', lastName: `Ient ${code}`, barcode: `T-${code}` } });
}

/** Inserts an appointment row directly, as the booking workflow would have. */
export async function insertAppointment(
  api: TestApi,
  a: { clinicId: string; patientId: string; practitionerId: string; startsAt: string; endsAt: string; status?: 'SCHEDULED' | 'CONFIRMED' | 'CANCELLED' | 'NO_SHOW'; therapyTypeId?: string; reason?: string },
) {
  const id = randomUUID();
  return api.db.prisma.appointment.create({
    data: {
      clinicId: a.clinicId,
      reservationId: `APT-${id.slice(0, 8).toUpperCase()}`,
      patientId: a.patientId,
      practitionerId: a.practitionerId,
      therapyTypeId: a.therapyTypeId ?? null,
      type: 'TREATMENT',
      bookingMode: 'SPECIFIC_TIME',
      status: a.status ?? 'SCHEDULED',
      startsAt: new Date(a.startsAt),
      endsAt: new Date(a.endsAt),
      reason: a.reason ?? null,
      idempotencyKey: id,
      workflowId: `appointment/${a.clinicId}/${id}`,
    },
  });
}
