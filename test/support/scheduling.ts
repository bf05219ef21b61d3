/** Fixtures for the scheduling tests: practitioners, patients, appointments and an API on a fixed clock. */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import supertest from 'supertest';
import { createApp } from '../../api/app';
import { type ApiDeps } from '../../api/deps';
import { type AppointmentStatus } from '../../prisma/generated/client';
import { type TestApi } from './api';

/** Working hours round the clock every day: for tests about something else than working hours. */
export const ROUND_THE_CLOCK = [0, 1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));

/** A whole hour at least `hoursAhead` from now: in the future and on the working grid. */
export const hoursAhead = (hours: number) => new Date(Math.ceil((Date.now() + hours * 3_600_000) / 3_600_000) * 3_600_000);

/** The same app and database as `api`, but availability treats `now` as the current time. */
export function apiAt(api: TestApi, now: Date): ReturnType<typeof supertest> {
  const deps: ApiDeps = { config: api.config, prisma: api.db.prisma, temporal: api.temporal, logger: pino({ level: 'silent' }), metrics: new Registry(), now: () => now };
  return supertest(createApp(deps));
}

export async function createPatient(api: TestApi, clinicId: string) {
  const code = randomUUID().slice(0, 8);
  return api.db.prisma.patient.create({ data: { clinicId, firstName: 'Pat', lastName: `Ient ${code}`, barcode: `T-${code}` } });
}

/**
 * Inserts an appointment row directly, as the booking would have, marked as if its workflow had
 * started: no workflow runs for it, so an action on it finds none (409), and neither the API nor
 * the start reconciler starts one.
 */
export async function insertAppointment(
  owner: { db: Pick<TestApi['db'], 'prisma'> },
  a: {
    clinicId: string;
    patientId: string;
    practitionerId: string;
    startsAt: string;
    endsAt: string;
    status?: AppointmentStatus;
    therapyTypeId?: string;
    reason?: string;
    price?: string;
    discount?: string;
  },
) {
  const id = randomUUID();
  return owner.db.prisma.appointment.create({
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
      price: a.price ?? null,
      discount: a.discount ?? '0',
      idempotencyKey: id,
      workflowId: `appointment/${a.clinicId}/${id}`,
      workflowStartedAt: new Date(),
    },
  });
}
