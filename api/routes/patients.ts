import { randomBytes } from 'node:crypto';
import { localDate } from '../../domain/dates';
import { barcodeFrom, isMinor } from '../../domain/patients';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { pageArgs, toPage } from '../http/pagination';
import { containsText, isUniqueViolation } from '../http/prisma-helpers';
import { type ApiRouter } from '../http/route';
import { presentPatient } from '../presenters';
import { idParams, listQuery, page } from '../schemas/common';
import { messageResponse } from '../schemas/messages';
import { presentMessage } from './messages';
import { createPatientBody, type guardian, patientListQuery, patientResponse, updatePatientBody } from '../schemas/patients';
import { auditRead, writeAudit } from '../services/audit';
import { assertRoomFor } from '../services/license-enforcement';
import { z } from '../openapi/zod';
import { text } from '../../domain/text';
import { assertMayWrite, ClinicalFields, type ClinicalInput, SEALED_PATIENT_FIELDS } from '../services/clinical-fields';
import { type Patient } from '../../prisma/generated/client';
import { type Request } from 'express';

type Guardian = z.infer<typeof guardian>;

function guardianColumns(g: Guardian | null | undefined) {
  if (g === undefined) return {};
  return { guardianName: g?.name ?? null, guardianRelationship: g?.relationship ?? null, guardianPhone: g?.phone ?? null, guardianEmail: g?.email ?? null };
}

const toDate = (d: string | null | undefined) => (d === undefined ? undefined : d === null ? null : new Date(`${d}T00:00:00.000Z`));

/** Minors are booked and reminded through a guardian, so one must be on file. */
function assertGuardianForMinor(dateOfBirth: string | null | undefined, hasGuardian: boolean): void {
  const today = localDate(new Date(), 'UTC');
  if (dateOfBirth && dateOfBirth > today) throw ApiError.unprocessable('INVALID_DATE_OF_BIRTH', 'The date of birth is in the future', [{ path: 'body.dateOfBirth', message: 'in the future' }]);
  if (isMinor(dateOfBirth, today) && !hasGuardian) {
    throw ApiError.unprocessable('GUARDIAN_REQUIRED', 'Patients under 18 need a guardian on file', [{ path: 'body.guardian', message: 'required for a minor' }]);
  }
}

/** A PATCH may change one list only; together with the stored other list it must still make sense. */
function assertPreferencesAgree(preferred: string[], optedOut: string[]): void {
  const both = preferred.filter((c) => optedOut.includes(c));
  if (both.length > 0) {
    throw ApiError.unprocessable('CHANNEL_PREFERENCE_CONFLICT', `The patient cannot both prefer and opt out of ${both.join(', ')}`, [{ path: 'body.optedOutChannels', message: 'overlaps the preferred channels' }]);
  }
}

const deviceTokenBody = z.object({ token: text().min(20).max(4096).regex(/^[\w:.-]+$/, 'must be a push registration token') }).openapi('RegisterDeviceToken');
const deviceTokenResponse = z.object({ id: z.uuid(), tokenEnding: text(), createdAt: text() }).openapi('DeviceToken');
const presentDeviceToken = (t: { id: string; token: string; createdAt: Date }) => ({ id: t.id, tokenEnding: t.token.slice(-6), createdAt: t.createdAt.toISOString() });

/** Splits the sealed fields off a request body. */
function clinicalInputOf<B extends ClinicalInput>(body: B): { clinical: ClinicalInput; rest: Omit<B, (typeof SEALED_PATIENT_FIELDS)[number]> } {
  const { allergies, medications, medicalNotes, address, emergencyContact, ...rest } = body;
  const clinical: ClinicalInput = { allergies, medications, medicalNotes, address, emergencyContact };
  for (const key of SEALED_PATIENT_FIELDS) if (clinical[key] === undefined) delete clinical[key];
  return { clinical, rest };
}

export function patientRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  const sealed = ClinicalFields.fromConfig(deps.config);
  const present = (req: Request) => (p: Patient) => ({ ...presentPatient(p), ...sealed.view(p, req.auth!.role) });
  return r
    .route({
      method: 'post',
      path: '/',
      summary: 'Register a patient',
      access: 'patient:create',
      tenant: true,
      body: createPatientBody,
      responses: { 201: { description: 'Created', schema: patientResponse }, 402: { description: 'The licence tier allows no more active patients' } },
      handler: async ({ body }, req, res) => {
        const { db, clinicId } = req.tenant!;
        assertGuardianForMinor(body.dateOfBirth, !!body.guardian);
        const { clinical, rest } = clinicalInputOf(body);
        assertMayWrite(req.auth!.role, clinical);
        const { guardian: g, dateOfBirth, barcode: requested, ...fields } = rest;
        // A generated card code may collide (rarely): try again with a new one.
        for (let attempt = 1; ; attempt++) {
          const barcode = requested ?? barcodeFrom(randomBytes(10));
          try {
            const patient = await db.$transaction(async (tx) => {
              await assertRoomFor(tx, clinicId, 'PATIENTS');
              let created = await tx.patient.create({ data: { ...fields, ...guardianColumns(g), dateOfBirth: toDate(dateOfBirth), barcode, clinicId } });
              // Sealed values are bound to the patient's id, known only now.
              if (Object.keys(clinical).length) created = await tx.patient.update({ where: { id: created.id }, data: sealed.columns(clinicId, created.id, clinical) });
              await writeAudit(tx, req, { action: 'patient.create', entityType: 'Patient', entityId: created.id, clinicId, after: created });
              return created;
            });
            res.status(201).json(present(req)(patient));
            return;
          } catch (err) {
            if (!isUniqueViolation(err)) throw err;
            if (requested) throw ApiError.conflict('BARCODE_TAKEN', 'Another patient of this clinic has this barcode');
            if (attempt >= 3) throw err;
          }
        }
      },
    })
    .route({
      method: 'get',
      path: '/',
      summary: "List and search the clinic's patients",
      access: 'patient:read',
      tenant: true,
      query: patientListQuery,
      responses: { 200: { description: 'A page of patients', schema: page(patientResponse) } },
      handler: async ({ query }, req, res) => {
        const { db, ownership } = req.tenant!;
        const contains = containsText(query.q);
        const rows = await db.patient.findMany({
          where: {
            ...(query.active !== undefined ? { active: query.active } : {}),
            ...(contains && query.q
              ? { OR: [{ firstName: contains }, { lastName: contains }, { email: contains }, { phone: contains }, { barcode: query.q }] }
              : {}),
            AND: [ownership.patient],
          },
          orderBy: query.sort === 'lastName' ? [{ lastName: query.order }, { firstName: query.order }, { id: query.order }] : [{ id: query.order }],
          ...pageArgs(query.limit, query.cursor),
        });
        const page = toPage(rows, query.limit, present(req));
        await auditRead(db, req, 'patient.list', page.data.map((p) => p.id));
        res.json(page);
      },
    })
    .route({
      method: 'get',
      path: '/:id',
      summary: 'Read a patient',
      access: 'patient:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'The patient', schema: patientResponse } },
      handler: async ({ params }, req, res) => {
        const { db, ownership } = req.tenant!;
        const patient = await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] } });
        if (!patient) throw ApiError.notFound('Patient');
        await auditRead(db, req, 'patient.read', [patient.id]);
        res.json(present(req)(patient));
      },
    })
    .route({
      method: 'get',
      path: '/:id/messages',
      summary: "A patient's messages, newest first",
      access: 'message:read',
      tenant: true,
      params: idParams,
      query: listQuery,
      responses: { 200: { description: 'A page of messages', schema: page(messageResponse) } },
      handler: async ({ params, query }, req, res) => {
        const { db, ownership } = req.tenant!;
        if (!(await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
        const rows = await db.message.findMany({ where: { patientId: params.id }, orderBy: { id: 'desc' }, ...pageArgs(query.limit, query.cursor) });
        await auditRead(db, req, 'patient.messages.read', [params.id]);
        res.json(toPage(rows, query.limit, presentMessage));
      },
    })
    .route({
      method: 'post',
      path: '/:id/device-tokens',
      summary: "Register a patient's device for push notifications (registering it again changes nothing)",
      access: 'patient:update',
      tenant: true,
      params: idParams,
      body: deviceTokenBody,
      responses: { 201: { description: 'Registered', schema: deviceTokenResponse }, 200: { description: 'Already registered', schema: deviceTokenResponse } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        if (!(await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
        const existing = await db.deviceToken.findFirst({ where: { token: body.token } });
        // A device belongs to whoever registered it last (a family tablet changes hands).
        const row = existing
          ? await db.deviceToken.update({ where: { id: existing.id }, data: { patientId: params.id } })
          : await db.deviceToken.create({ data: { clinicId, patientId: params.id, token: body.token } });
        res.status(existing ? 200 : 201).json(presentDeviceToken(row));
      },
    })
    .route({
      method: 'get',
      path: '/:id/device-tokens',
      summary: "A patient's registered devices (tokens shown by their last characters)",
      access: 'patient:read',
      tenant: true,
      params: idParams,
      responses: { 200: { description: 'Devices', schema: z.array(deviceTokenResponse) } },
      handler: async ({ params }, req, res) => {
        const { db, ownership } = req.tenant!;
        if (!(await db.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] }, select: { id: true } }))) throw ApiError.notFound('Patient');
        const rows = await db.deviceToken.findMany({ where: { patientId: params.id }, orderBy: { createdAt: 'desc' } });
        res.json(rows.map(presentDeviceToken));
      },
    })
    .route({
      method: 'patch',
      path: '/:id',
      summary: 'Change a patient (details, guardian, active flag)',
      access: 'patient:update',
      tenant: true,
      params: idParams,
      body: updatePatientBody,
      responses: { 200: { description: 'The changed patient', schema: patientResponse }, 402: { description: 'Reactivating would exceed the licence' } },
      handler: async ({ params, body }, req, res) => {
        const { db, clinicId, ownership } = req.tenant!;
        const { clinical, rest } = clinicalInputOf(body);
        assertMayWrite(req.auth!.role, clinical);
        const { guardian: g, dateOfBirth, ...fields } = rest;
        const patient = await db.$transaction(async (tx) => {
          const before = await tx.patient.findUnique({ where: { id: params.id, AND: [ownership.patient] } });
          if (!before) throw ApiError.notFound('Patient');
          const dob = dateOfBirth === undefined ? before.dateOfBirth?.toISOString().slice(0, 10) : dateOfBirth;
          const hasGuardian = g === undefined ? !!before.guardianName : !!g;
          assertGuardianForMinor(dob, hasGuardian);
          if (fields.active === true && !before.active) await assertRoomFor(tx, clinicId, 'PATIENTS');
          assertPreferencesAgree(fields.preferredChannels ?? before.preferredChannels, fields.optedOutChannels ?? before.optedOutChannels);
          const after = await tx.patient.update({ where: { id: params.id }, data: { ...fields, ...guardianColumns(g), dateOfBirth: toDate(dateOfBirth), ...sealed.columns(clinicId, params.id, clinical) } });
          await writeAudit(tx, req, { action: 'patient.update', entityType: 'Patient', entityId: after.id, clinicId, before, after });
          return after;
        });
        res.json(present(req)(patient));
      },
    });
}
