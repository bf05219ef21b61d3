import { z } from '../openapi/zod';
import { booleanQuery, listQuery } from './common';
import { amount, currency, sessionMinutes } from './scheduling';
import { text } from '../../domain/text';

const name = text().trim().min(1).max(100);

export const createTherapyTypeBody = z
  .object({ name, defaultDurationMinutes: sessionMinutes, defaultPrice: amount, currency })
  .openapi('CreateTherapyTypeRequest');

export const updateTherapyTypeBody = z
  .object({
    name: name.optional(),
    defaultDurationMinutes: sessionMinutes.optional(),
    defaultPrice: amount.optional(),
    currency: currency.optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to change' })
  .openapi('UpdateTherapyTypeRequest');

export const therapyTypeListQuery = listQuery.extend({ active: booleanQuery.optional() });

export const therapyTypeResponse = z
  .object({
    id: z.uuid(),
    name: text(),
    defaultDurationMinutes: z.number().int(),
    defaultPrice: text(),
    currency: text(),
    active: z.boolean(),
    createdAt: text(),
    updatedAt: text(),
  })
  .openapi('TherapyType');
