/** A session's treatment records: /appointments/:id/treatment-records (see api/services/treatment-records.ts). */
import { type ApiDeps } from '../deps';
import { decodeCursor, toPage } from '../http/pagination';
import { type ApiRouter } from '../http/route';
import { idParams, page } from '../schemas/common';
import { amendTreatmentRecordBody, createTreatmentRecordBody, recordIdParams, treatmentRecordListQuery, treatmentRecordResponse, updateTreatmentRecordBody } from '../schemas/treatment-records';
import {
  amendTreatmentRecord,
  createTreatmentRecord,
  listTreatmentRecords,
  presentTreatmentRecord,
  readTreatmentRecord,
  signTreatmentRecord,
  updateTreatmentRecord,
} from '../services/treatment-records';

export function treatmentRecordRoutes(r: ApiRouter, deps: ApiDeps): ApiRouter {
  return r
    .route({
      method: 'post',
      path: '/:id/treatment-records',
      summary: 'Record the treatment of a session (checked in, in progress or completed); the materials used come off stock',
      description:
        "With `verification`, the patient's card and every barcoded treatment must match what was scanned or typed in (422 BARCODE_MISMATCH otherwise) and the record is saved as verified. An Idempotency-Key header (optional) makes a retry safe: the same request again answers with the first record and uses no stock twice. Stock that would go below zero answers 409 INSUFFICIENT_STOCK unless the clinic's settings.inventory.allowNegativeStock is true; an item falling below its minimum alerts the clinic's admins and inventory managers once.",
      access: 'treatment-record:write',
      tenant: true,
      params: idParams,
      body: createTreatmentRecordBody,
      responses: {
        201: { description: 'The record, as a draft', schema: treatmentRecordResponse },
        404: { description: 'No such session, therapy type or inventory item' },
        409: { description: 'NOT_IN_SESSION, or INSUFFICIENT_STOCK' },
        422: { description: 'BARCODE_MISMATCH, THERAPY_TYPE_ARCHIVED, DISCOUNT_TOO_HIGH, IDEMPOTENCY_KEY_REUSED' },
      },
      handler: async ({ params, body }, req, res) => {
        res.status(201).json(presentTreatmentRecord(await createTreatmentRecord(deps, req, params.id, body)));
      },
    })
    .route({
      method: 'get',
      path: '/:id/treatment-records',
      summary: "A session's treatment records, oldest first",
      access: 'treatment-record:read',
      tenant: true,
      params: idParams,
      query: treatmentRecordListQuery,
      responses: { 200: { description: 'A page of records', schema: page(treatmentRecordResponse) } },
      handler: async ({ params, query }, req, res) => {
        const id = decodeCursor(query.cursor);
        const rows = await listTreatmentRecords(req, params.id, query.limit, id ? { id } : undefined);
        res.json(toPage(rows, query.limit, presentTreatmentRecord));
      },
    })
    .route({
      method: 'get',
      path: '/:id/treatment-records/:recordId',
      summary: 'Read a treatment record with every signed version',
      access: 'treatment-record:read',
      tenant: true,
      params: recordIdParams,
      responses: { 200: { description: 'The record', schema: treatmentRecordResponse }, 404: { description: 'No such record' } },
      handler: async ({ params }, req, res) => {
        res.json(presentTreatmentRecord(await readTreatmentRecord(req, params.id, params.recordId)));
      },
    })
    .route({
      method: 'patch',
      path: '/:id/treatment-records/:recordId',
      summary: "Change a draft's notes, complications, feedback or follow-up (409 RECORD_SIGNED once signed)",
      access: 'treatment-record:write',
      tenant: true,
      params: recordIdParams,
      body: updateTreatmentRecordBody,
      responses: { 200: { description: 'The changed draft', schema: treatmentRecordResponse }, 404: { description: 'No such record' }, 409: { description: 'RECORD_SIGNED' } },
      handler: async ({ params, body }, req, res) => {
        res.json(presentTreatmentRecord(await updateTreatmentRecord(req, params.id, params.recordId, body)));
      },
    })
    .route({
      method: 'post',
      path: '/:id/treatment-records/:recordId/sign',
      summary: 'Sign a record: it becomes immutable; corrections are amendments',
      access: 'treatment-record:write',
      tenant: true,
      params: recordIdParams,
      responses: { 200: { description: 'The signed record', schema: treatmentRecordResponse }, 404: { description: 'No such record' }, 409: { description: 'RECORD_SIGNED (already)' } },
      handler: async ({ params }, req, res) => {
        res.json(presentTreatmentRecord(await signTreatmentRecord(deps, req, params.id, params.recordId)));
      },
    })
    .route({
      method: 'post',
      path: '/:id/treatment-records/:recordId/amendments',
      summary: 'Correct a signed record: a new version with its reason; earlier versions stay readable',
      access: 'treatment-record:write',
      tenant: true,
      params: recordIdParams,
      body: amendTreatmentRecordBody,
      responses: { 201: { description: 'The record at its new version', schema: treatmentRecordResponse }, 404: { description: 'No such record' }, 409: { description: 'RECORD_NOT_SIGNED, RECORD_CHANGED' } },
      handler: async ({ params, body }, req, res) => {
        res.status(201).json(presentTreatmentRecord(await amendTreatmentRecord(req, params.id, params.recordId, body)));
      },
    });
}
