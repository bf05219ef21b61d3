import { isIsoDate } from '../../domain/dates';
import { CHANNELS } from '../../domain/messaging';
import { z } from '../openapi/zod';
import { booleanQuery, listQuery } from './common';
import { text } from '../../domain/text';

const name = text().trim().min(1).max(100);
const phone = text().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number such as +44 20 7946 0000');
const isoDate = text().refine(isIsoDate, { message: 'must be a date as YYYY-MM-DD' });
const language = text().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language code such as en or hi');
const channelList = z
  .array(z.enum(CHANNELS))
  .max(CHANNELS.length)
  .refine((list) => new Set(list).size === list.length, { message: 'lists a channel twice' });
/** Preferred channels (most preferred first) and channels the patient opted out of, e.g. after asking the front desk. */
const channelPreferences = {
  preferredChannels: channelList.describe('Channels in the order the patient likes to be reached'),
  optedOutChannels: channelList.describe('Channels the patient must not be messaged on'),
};
const noOverlap = (b: { preferredChannels?: string[]; optedOutChannels?: string[] }) => !(b.preferredChannels ?? []).some((c) => (b.optedOutChannels ?? []).includes(c));
const overlapIssue = { message: 'a channel cannot be both preferred and opted out of', path: ['optedOutChannels'] };

export const guardian = z.object({
  name,
  relationship: text().trim().min(1).max(50),
  phone: phone.optional(),
  email: z.email().optional(),
});

const clinicalText = text().trim().min(1).max(5000);
export const emergencyContact = z.object({ name, relationship: text().trim().min(1).max(50), phone });
/** Sealed at rest; readable by clinical roles and admins (the emergency contact also by the front desk). */
const clinicalFields = {
  allergies: clinicalText.nullable().optional(),
  medications: clinicalText.nullable().optional(),
  medicalNotes: clinicalText.nullable().optional(),
  address: text().trim().min(1).max(500).nullable().optional(),
  emergencyContact: emergencyContact.nullable().optional(),
};

const patientFields = {
  ...clinicalFields,
  firstName: name,
  lastName: name,
  dateOfBirth: isoDate.optional(),
  gender: text().trim().max(30).optional(),
  email: z.email().optional(),
  phone: phone.optional(),
  preferredLanguage: language.default('en'),
  preferredChannels: channelPreferences.preferredChannels.default([]),
  optedOutChannels: channelPreferences.optedOutChannels.default([]),
  guardian: guardian.optional(),
};

export const createPatientBody = z
  .object({ ...patientFields, barcode: text().trim().regex(/^[A-Za-z0-9-]{4,64}$/).optional() })
  .refine(noOverlap, overlapIssue)
  .openapi('CreatePatientRequest');

export const updatePatientBody = z
  .object({
    firstName: name.optional(),
    lastName: name.optional(),
    dateOfBirth: isoDate.nullable().optional(),
    gender: text().trim().max(30).nullable().optional(),
    email: z.email().nullable().optional(),
    phone: phone.nullable().optional(),
    preferredLanguage: language.optional(),
    preferredChannels: channelPreferences.preferredChannels.optional(),
    optedOutChannels: channelPreferences.optedOutChannels.optional(),
    guardian: guardian.nullable().optional(),
    active: z.boolean().optional(),
    ...clinicalFields,
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' })
  .refine(noOverlap, overlapIssue)
  .openapi('UpdatePatientRequest');

export const patientListQuery = listQuery.extend({
  q: text().trim().min(1).max(100).optional().describe('Matches name, email, phone or barcode'),
  active: booleanQuery.optional(),
  sort: z.enum(['createdAt', 'lastName']).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});

export const patientResponse = z
  .object({
    id: z.uuid(),
    clinicId: z.uuid(),
    firstName: text(),
    lastName: text(),
    dateOfBirth: text().nullable(),
    gender: text().nullable(),
    email: text().nullable(),
    phone: text().nullable(),
    preferredLanguage: text(),
    preferredChannels: z.array(z.enum(CHANNELS)),
    optedOutChannels: z.array(z.enum(CHANNELS)),
    guardian: guardian.extend({ phone: text().nullable(), email: text().nullable() }).nullable(),
    barcode: text(),
    active: z.boolean(),
    createdAt: text(),
    updatedAt: text(),
    allergies: text().nullable().optional().describe('Only for clinical roles and admins'),
    medications: text().nullable().optional().describe('Only for clinical roles and admins'),
    medicalNotes: text().nullable().optional().describe('Only for clinical roles and admins'),
    address: text().nullable().optional().describe('Only for clinical roles and admins'),
    emergencyContact: emergencyContact.nullable().optional().describe('For clinical roles, admins, managers and the front desk'),
  })
  .openapi('Patient');
