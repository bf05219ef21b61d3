/**
 * The treatment catalogue and treatment records over the real app and PostgreSQL: catalogue CRUD
 * and archiving, barcode verification (422 on a mismatch, the verified flag), signing (immutable,
 * 409 on edit, the database refuses too) and amendments (versions with reasons), the audit trail
 * without clinical text, and the stock of the materials used: exact under 20 parallel sessions,
 * never below zero unless the clinic allows it, one low-stock alert per crossing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { documentationDeadlineStart, workflowIds } from '../../domain/temporal';
import { AWAITING_DOCUMENTATION } from '../../prisma/session-documentation';
import { expectError } from '../../test/support/errors';
import { createPatient, insertAppointment } from '../../test/support/scheduling';

interface RecordBody {
  id: string;
  status: 'DRAFT' | 'SIGNED';
  version: number;
  cost: string;
  discount: string;
  finalAmount: string;
  durationMinutes: number;
  notes: string | null;
  barcodeVerified: boolean;
  barcodeEntry: string | null;
  materials: { itemId: string; quantity: number }[];
  versions?: { version: number; reason: string | null; content: { notes: string | null } }[];
}

describe('treatment catalogue and records', () => {
  let api: TestApi;
  let clinicId: string;
  let admin: Actor;
  let therapist: Actor;
  let stockKeeper: Actor;
  let patient: { id: string; barcode: string };
  let appointmentId: string;
  let massage: { id: string; barcode: string };
  let plainType: { id: string };

  before(async () => {
    api = await startTestApi();
    clinicId = (await createClinic(api, { tier: 'XL' })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    therapist = await actor(api, 'THERAPIST', clinicId);
    stockKeeper = await actor(api, 'INVENTORY_MANAGER', clinicId);
    patient = await createPatient(api, clinicId);
    appointmentId = (await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: therapist.id, startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T11:00:00Z', status: 'CHECKED_IN', price: '80.00' })).id;
    const category = (await api.http.post('/api/v1/treatment-categories').set(bearer(admin)).send({ name: 'Manual therapy' }).expect(201)).body as { id: string };
    massage = (
      await api.http
        .post('/api/v1/therapy-types')
        .set(bearer(admin))
        .send({ name: 'Deep tissue massage', defaultDurationMinutes: 45, defaultPrice: '60.00', currency: 'EUR', categoryId: category.id, instructions: 'Warm the room first', barcode: 'TRT-MASSAGE-1' })
        .expect(201)
    ).body as { id: string; barcode: string };
    plainType = (await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: 'Stretching', defaultDurationMinutes: 15, defaultPrice: '20.00', currency: 'EUR' }).expect(201)).body as { id: string };
  });
  after(async () => {
    await api.close();
  });

  const item = async (quantity: number, minimumQuantity = 0) =>
    (
      await api.http
        .post('/api/v1/inventory/items')
        .set(bearer(stockKeeper))
        .send({ name: `Massage oil ${randomUUID().slice(0, 4)}`, sku: `OIL-${randomUUID().slice(0, 8)}`, unit: 'ml', unitCost: '0.05', currency: 'EUR', quantity, minimumQuantity })
        .expect(201)
    ).body as { id: string };
  const record = (who: Actor, body: Record<string, unknown>, appointment = appointmentId) => api.http.post(`/api/v1/appointments/${appointment}/treatment-records`).set(bearer(who)).send(body);
  const quantityOf = async (id: string) => (await api.db.prisma.inventoryItem.findUniqueOrThrow({ where: { id } })).quantity;

  describe('the catalogue', () => {
    test('categories and therapy types: create, read, filter by barcode, change, archive; archived ones leave the list and cannot be recorded', async () => {
      const cat = (await api.http.post('/api/v1/treatment-categories').set(bearer(admin)).send({ name: 'Electrotherapy', description: 'TENS and the like' }).expect(201)).body as { id: string };
      await api.http.patch(`/api/v1/treatment-categories/${cat.id}`).set(bearer(admin)).send({ description: 'TENS, EMS' }).expect(200);
      expectError(await api.http.post('/api/v1/treatment-categories').set(bearer(admin)).send({ name: 'electrotherapy' }), 409, 'CATEGORY_EXISTS');
      const tens = (
        await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: 'TENS', defaultDurationMinutes: 30, defaultPrice: '35.50', currency: 'EUR', categoryId: cat.id, barcode: 'TRT-TENS' }).expect(201)
      ).body as { id: string; categoryId: string; barcode: string; archivedAt: string | null };
      assert.deepEqual([tens.categoryId, tens.barcode, tens.archivedAt], [cat.id, 'TRT-TENS', null]);
      expectError(await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: 'Other', defaultDurationMinutes: 30, defaultPrice: '1', currency: 'EUR', barcode: 'TRT-TENS' }), 409, 'BARCODE_TAKEN');
      const scanned = (await api.http.get('/api/v1/therapy-types').query({ barcode: 'TRT-TENS' }).set(bearer(therapist)).expect(200)).body as { data: { id: string }[] };
      assert.deepEqual(scanned.data.map((t) => t.id), [tens.id]);
      await api.http.patch(`/api/v1/therapy-types/${tens.id}`).set(bearer(admin)).send({ instructions: 'Electrodes on dry skin' }).expect(200);

      const archived = (await api.http.delete(`/api/v1/therapy-types/${tens.id}`).set(bearer(admin)).expect(200)).body as { archivedAt: string | null; active: boolean };
      assert.ok(archived.archivedAt);
      assert.equal(archived.active, false);
      const listed = (await api.http.get('/api/v1/therapy-types').query({ limit: 100 }).set(bearer(admin)).expect(200)).body as { data: { id: string }[] };
      assert.equal(listed.data.some((t) => t.id === tens.id), false, 'archived types leave the list');
      const all = (await api.http.get('/api/v1/therapy-types').query({ limit: 100, includeArchived: 'true' }).set(bearer(admin)).expect(200)).body as { data: { id: string }[] };
      assert.ok(all.data.some((t) => t.id === tens.id));
      await api.http.get(`/api/v1/therapy-types/${tens.id}`).set(bearer(admin)).expect(200);
      expectError(await api.http.patch(`/api/v1/therapy-types/${tens.id}`).set(bearer(admin)).send({ name: 'TENS 2' }), 409, 'ARCHIVED');
      expectError(await record(therapist, { items: [{ therapyTypeId: tens.id }] }), 422, 'THERAPY_TYPE_ARCHIVED');
      assert.ok(await api.db.prisma.therapyType.findUnique({ where: { id: tens.id } }), 'archiving keeps the row');

      await api.http.delete(`/api/v1/treatment-categories/${cat.id}`).set(bearer(admin)).expect(200);
      const cats = (await api.http.get('/api/v1/treatment-categories').set(bearer(admin)).expect(200)).body as { data: { id: string }[] };
      assert.equal(cats.data.some((c) => c.id === cat.id), false);
      expectError(await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: 'In archived', defaultDurationMinutes: 30, defaultPrice: '1', currency: 'EUR', categoryId: cat.id }), 422, 'CATEGORY_ARCHIVED');
      expectError(await api.http.post('/api/v1/treatment-categories').set(bearer(therapist)).send({ name: 'Not mine to add' }), 403, 'FORBIDDEN');
    });
  });

  describe('barcode verification', () => {
    test("a wrong patient card or a missing treatment barcode answers 422 and saves nothing; a match saves the record verified; none saves it unverified", async () => {
      const oil = await item(100);
      const base = { items: [{ therapyTypeId: massage.id }, { therapyTypeId: plainType.id }], materials: [{ itemId: oil.id, quantity: 10 }] };
      const before = await api.db.prisma.treatmentRecord.count({ where: { clinicId } });
      const wrongPatient = expectError(await record(therapist, { ...base, verification: { method: 'SCANNED', patientBarcode: 'SOMEONE-ELSE', treatmentBarcodes: [massage.barcode] } }), 422, 'BARCODE_MISMATCH');
      assert.match(JSON.stringify(wrongPatient.details), /verification\.patientBarcode/);
      expectError(await record(therapist, { ...base, verification: { method: 'SCANNED', patientBarcode: patient.barcode, treatmentBarcodes: [] } }), 422, 'BARCODE_MISMATCH');
      expectError(await record(therapist, { ...base, verification: { method: 'ENTERED', patientBarcode: patient.barcode, treatmentBarcodes: [massage.barcode, 'TRT-UNRELATED'] } }), 422, 'BARCODE_MISMATCH');
      assert.equal(await api.db.prisma.treatmentRecord.count({ where: { clinicId } }), before, 'nothing saved');
      assert.equal(await quantityOf(oil.id), 100, 'no stock taken');

      const verified = (await record(therapist, { ...base, verification: { method: 'SCANNED', patientBarcode: patient.barcode, treatmentBarcodes: [massage.barcode] } }).expect(201)).body as RecordBody;
      assert.deepEqual([verified.barcodeVerified, verified.barcodeEntry, verified.status, verified.version], [true, 'SCANNED', 'DRAFT', 1]);
      // Defaults from the catalogue: 60 + 20, 45 + 15 minutes.
      assert.deepEqual([verified.cost, verified.discount, verified.finalAmount, verified.durationMinutes], ['80.00', '0.00', '80.00', 60]);
      assert.equal(await quantityOf(oil.id), 90, 'the oil used came off stock');
      const unverified = (await record(therapist, { ...base, cost: '75.00', discount: '12.50' }).expect(201)).body as RecordBody;
      assert.deepEqual([unverified.barcodeVerified, unverified.barcodeEntry, unverified.finalAmount], [false, null, '62.50']);
      const stored = await api.db.prisma.treatmentRecord.findUniqueOrThrow({ where: { id: verified.id } });
      assert.equal(stored.barcodeVerified, true);
      expectError(await record(therapist, { ...base, cost: '10.00', discount: '12.00' }), 422, 'DISCOUNT_TOO_HIGH');
    });

    test('a session not yet checked in, or another practitioner’s, cannot be recorded', async () => {
      const booked = await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: therapist.id, startsAt: '2026-12-02T10:00:00Z', endsAt: '2026-12-02T11:00:00Z', status: 'SCHEDULED' });
      expectError(await record(therapist, { items: [{ therapyTypeId: plainType.id }] }, booked.id), 409, 'NOT_IN_SESSION');
      const colleague = await actor(api, 'THERAPIST', clinicId);
      expectError(await record(colleague, { items: [{ therapyTypeId: plainType.id }] }), 404, 'NOT_FOUND');
    });
  });

  describe('signing and amendments', () => {
    test("signing a completed session's record sends documentationSigned to its deadline workflow", async () => {
      const completed = await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId: therapist.id, startsAt: '2026-11-20T10:00:00Z', endsAt: '2026-11-20T11:00:00Z', status: 'COMPLETED', price: '80.00' });
      // Started as the appointment workflow would, on a queue no worker polls: the signal lands in its history.
      const start = documentationDeadlineStart(clinicId, completed.id);
      await api.temporal.client.workflow.start('documentationDeadlineWorkflow', { ...start, taskQueue: `no-worker-${randomUUID()}` });
      const created = (await record(therapist, { items: [{ therapyTypeId: plainType.id }], notes: 'Session done' }, completed.id).expect(201)).body as RecordBody;
      await api.http.post(`/api/v1/appointments/${completed.id}/treatment-records/${created.id}/sign`).set(bearer(therapist)).expect(200);
      const handle = api.temporal.client.workflow.getHandle(workflowIds.documentationDeadline(clinicId, completed.id));
      const history = await handle.fetchHistory();
      assert.ok(history.events?.some((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'documentationSigned'));
      await handle.terminate('test done');
      // The session counts as documented: it is no longer among the sessions waiting for it.
      assert.equal(await api.db.prisma.appointment.count({ where: { id: completed.id, ...AWAITING_DOCUMENTATION } }), 0);
    });

    test('a signed record is immutable: PATCH and a second signature answer 409, the database refuses a direct change; amendments add versions with reasons', async () => {
      const created = (await record(therapist, { items: [{ therapyTypeId: plainType.id }], notes: 'Lower back stiff', complications: 'none' }).expect(201)).body as RecordBody;
      const path = `/api/v1/appointments/${appointmentId}/treatment-records/${created.id}`;
      await api.http.patch(path).set(bearer(therapist)).send({ notes: 'Lower back stiff, left side' }).expect(200);
      const signed = (await api.http.post(`${path}/sign`).set(bearer(therapist)).expect(200)).body as RecordBody;
      assert.equal(signed.status, 'SIGNED');
      assert.deepEqual(signed.versions?.map((v) => [v.version, v.reason, v.content.notes]), [[1, null, 'Lower back stiff, left side']]);

      expectError(await api.http.patch(path).set(bearer(therapist)).send({ notes: 'Rewritten' }), 409, 'RECORD_SIGNED');
      expectError(await api.http.post(`${path}/sign`).set(bearer(therapist)), 409, 'RECORD_SIGNED');
      await assert.rejects(api.db.prisma.treatmentRecord.update({ where: { id: created.id }, data: { notes: 'behind the API' } }), /signed/);
      assert.equal((await api.db.prisma.treatmentRecord.findUniqueOrThrow({ where: { id: created.id } })).notes, 'Lower back stiff, left side');

      const amended = (await api.http.post(`${path}/amendments`).set(bearer(therapist)).send({ reason: 'Wrong side noted', notes: 'Lower back stiff, right side' }).expect(201)).body as RecordBody;
      assert.deepEqual([amended.version, amended.notes, amended.status], [2, 'Lower back stiff, right side', 'SIGNED']);
      await api.http.post(`${path}/amendments`).set(bearer(therapist)).send({ reason: 'Feedback added', patientFeedback: 'Feels better' }).expect(201);
      const read = (await api.http.get(path).set(bearer(admin)).expect(200)).body as RecordBody;
      assert.deepEqual(read.versions?.map((v) => [v.version, v.reason, v.content.notes]), [
        [1, null, 'Lower back stiff, left side'],
        [2, 'Wrong side noted', 'Lower back stiff, right side'],
        [3, 'Feedback added', 'Lower back stiff, right side'],
      ]);
      const listed = (await api.http.get(`/api/v1/appointments/${appointmentId}/treatment-records`).set(bearer(therapist)).expect(200)).body as { data: { id: string }[] };
      assert.ok(listed.data.some((r) => r.id === created.id));
      const draft = (await record(therapist, { items: [{ therapyTypeId: plainType.id }] }).expect(201)).body as RecordBody;
      expectError(await api.http.post(`/api/v1/appointments/${appointmentId}/treatment-records/${draft.id}/amendments`).set(bearer(therapist)).send({ reason: 'too early', notes: 'x' }), 409, 'RECORD_NOT_SIGNED');

      // Audited, without the clinical text.
      const trail = await api.db.prisma.auditLog.findMany({ where: { clinicId, entityType: 'TreatmentRecord', entityId: created.id }, orderBy: { createdAt: 'asc' } });
      assert.deepEqual(trail.map((a) => a.action), ['treatmentRecord.create', 'treatmentRecord.update', 'treatmentRecord.sign', 'treatmentRecord.amend', 'treatmentRecord.amend']);
      const text = JSON.stringify(trail);
      for (const phi of ['Lower back', 'Feels better', 'Wrong side', 'none']) assert.equal(text.includes(phi), false, `the audit trail holds "${phi}"`);
    });
  });

  describe('stock', () => {
    test('20 parallel sessions using 1 of an item with 10: exactly 10 are saved, 10 answer 409 INSUFFICIENT_STOCK, stock ends at 0', async () => {
      const gauze = await item(10);
      const answers = await Promise.all(Array.from({ length: 20 }, () => record(therapist, { items: [{ therapyTypeId: plainType.id }], materials: [{ itemId: gauze.id, quantity: 1 }] })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [...Array(10).fill(201), ...Array(10).fill(409)]);
      for (const refused of answers.filter((a) => a.status === 409)) expectError(refused, 409, 'INSUFFICIENT_STOCK');
      assert.equal(await quantityOf(gauze.id), 0);
      const uses = await api.db.prisma.inventoryTransaction.findMany({ where: { itemId: gauze.id, type: 'USE' } });
      assert.equal(uses.length, 10);
      assert.deepEqual(uses.map((u) => u.quantityAfter).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'each use saw the one before it');
      assert.equal(await api.db.prisma.treatmentRecordMaterial.count({ where: { itemId: gauze.id } }), 10, 'a refused session saved nothing');
    });

    test('an Idempotency-Key makes a retried save answer the first record and use stock once; the key with another body is 422', async () => {
      const oil = await item(50);
      const body = { items: [{ therapyTypeId: plainType.id }], materials: [{ itemId: oil.id, quantity: 5 }] };
      const key = `record-${randomUUID()}`;
      const save = (b: object) => api.http.post(`/api/v1/appointments/${appointmentId}/treatment-records`).set(bearer(therapist)).set('Idempotency-Key', key).send(b);
      const [first, second] = await Promise.all([save(body), save(body)]);
      assert.deepEqual([first.status, second.status], [201, 201]);
      assert.equal((first.body as RecordBody).id, (second.body as RecordBody).id);
      assert.equal(((await save(body).expect(201)).body as RecordBody).id, (first.body as RecordBody).id);
      assert.equal(await quantityOf(oil.id), 45, 'the oil was used once');
      expectError(await save({ ...body, notes: 'another request' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    });

    test('with settings.inventory.allowNegativeStock the clinic may go below zero', async () => {
      const other = (await createClinic(api, { tier: 'XL' })).id;
      await api.db.prisma.clinic.update({ where: { id: other }, data: { settings: { inventory: { allowNegativeStock: true } } } });
      const [a, t] = [await actor(api, 'CLINIC_ADMIN', other), await actor(api, 'THERAPIST', other)];
      const p = await createPatient(api, other);
      const appt = await insertAppointment(api, { clinicId: other, patientId: p.id, practitionerId: t.id, startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T11:00:00Z', status: 'IN_PROGRESS' });
      const type = (await api.http.post('/api/v1/therapy-types').set(bearer(a)).send({ name: 'Taping', defaultDurationMinutes: 15, defaultPrice: '10', currency: 'EUR' }).expect(201)).body as { id: string };
      const tape = (await api.http.post('/api/v1/inventory/items').set(bearer(a)).send({ name: 'Tape', sku: 'TAPE-1', unit: 'roll', currency: 'EUR', quantity: 1 }).expect(201)).body as { id: string };
      await record(t, { items: [{ therapyTypeId: type.id }], materials: [{ itemId: tape.id, quantity: 3 }] }, appt.id).expect(201);
      assert.equal(await quantityOf(tape.id), -2);
    });

    test('an item falling below its minimum raises one alert per crossing, to the admins and inventory managers', async () => {
      const needles = await item(10, 5);
      const alerts = () => api.db.prisma.lowStockAlert.findMany({ where: { itemId: needles.id }, orderBy: { createdAt: 'asc' } });
      const messages = () => api.db.prisma.message.findMany({ where: { clinicId, templateKey: 'low-stock-alert', metadata: { path: ['inventoryItemId'], equals: needles.id } } });
      const use = (quantity: number) => record(therapist, { items: [{ therapyTypeId: plainType.id }], materials: [{ itemId: needles.id, quantity }] }).expect(201);

      await use(3); // 7: above
      assert.equal((await alerts()).length, 0);
      await use(3); // 4: crossed
      await use(1); // 3: still below, no second alert
      const first = await alerts();
      assert.equal(first.length, 1);
      assert.deepEqual([first[0]!.quantity, first[0]!.minimumQuantity, first[0]!.clearedAt], [4, 5, null]);
      const told = (await messages()).map((m) => (m.recipient as { email: string }).email).sort();
      assert.deepEqual(told, [admin.email, stockKeeper.email].sort(), 'admins and inventory managers, once each');
      const low = (await api.http.get('/api/v1/inventory/low-stock').set(bearer(stockKeeper)).expect(200)).body as { data: { id: string; lowStock: boolean }[] };
      assert.ok(low.data.some((i) => i.id === needles.id && i.lowStock));

      await api.http.post(`/api/v1/inventory/items/${needles.id}/transactions`).set(bearer(stockKeeper)).send({ type: 'RECEIVE', quantity: 10, reason: 'delivery' }).expect(201); // 13: recovered
      assert.ok((await alerts())[0]!.clearedAt, 'the recovery clears the alert');
      await use(9); // 4: crossed again
      assert.equal((await alerts()).length, 2, 'a new crossing, a new alert');
      assert.equal((await messages()).length, 4);
    });
  });
});
