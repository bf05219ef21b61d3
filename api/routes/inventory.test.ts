/**
 * Inventory over the real app, PostgreSQL, Temporal and a worker: items (CRUD, archive, scan),
 * stock transactions with who and why, reorder requests approved and rejected through their
 * workflow, and the role matrix of every new permission (INVENTORY_MANAGER against the others).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CLINIC_ROLES, type ClinicRole } from '../../domain/roles';
import { type Actor, actor, bearer, createClinic, startTestApi, type TestApi } from '../../test/support/api';
import { expectError } from '../../test/support/errors';
import { eventually } from '../../test/support/eventually';
import { createPatient, insertAppointment } from '../../test/support/scheduling';
import { startTestWorker, type TestWorker } from '../../test/support/worker';

interface ItemBody {
  id: string;
  sku: string;
  barcode: string | null;
  quantity: number;
  lowStock: boolean;
  archivedAt: string | null;
}

describe('inventory', () => {
  let api: TestApi;
  let worker: TestWorker;
  let clinicId: string;
  let admin: Actor;
  let stockKeeper: Actor;

  before(async () => {
    api = await startTestApi();
    worker = await startTestWorker(api);
    clinicId = (await createClinic(api, { tier: 'XL' })).id;
    admin = await actor(api, 'CLINIC_ADMIN', clinicId);
    stockKeeper = await actor(api, 'INVENTORY_MANAGER', clinicId);
  });
  after(async () => {
    await worker.stop();
    await api.close();
  });

  const newItem = (who: Actor, more: Record<string, unknown> = {}) =>
    api.http
      .post('/api/v1/inventory/items')
      .set(bearer(who))
      .send({ name: 'Kinesiology tape', sku: `TAPE-${randomUUID().slice(0, 8)}`, unit: 'roll', unitCost: '3.20', currency: 'EUR', supplier: 'MedSupply', location: 'Store room', ...more });

  test('items: create with opening stock, unique SKU and barcode, change, scan, archive', async () => {
    const created = (await newItem(stockKeeper, { sku: 'TAPE-5CM', barcode: 'INV-TAPE-5', quantity: 12, minimumQuantity: 5, maximumQuantity: 40, category: 'Consumables' }).expect(201)).body as ItemBody;
    assert.deepEqual([created.quantity, created.lowStock], [12, false]);
    const opening = await api.db.prisma.inventoryTransaction.findMany({ where: { itemId: created.id } });
    assert.deepEqual(opening.map((t) => [t.type, t.quantityChange, t.quantityAfter, t.byId, t.reason]), [['RECEIVE', 12, 12, stockKeeper.id, 'opening stock']]);
    expectError(await newItem(stockKeeper, { sku: 'TAPE-5CM' }), 409, 'SKU_TAKEN');
    expectError(await newItem(stockKeeper, { barcode: 'INV-TAPE-5' }), 409, 'BARCODE_TAKEN');
    await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: 'Taping', defaultDurationMinutes: 15, defaultPrice: '10', currency: 'EUR', barcode: 'TRT-TAPING' }).expect(201);
    expectError(await newItem(stockKeeper, { barcode: 'TRT-TAPING' }), 409, 'BARCODE_TAKEN');
    expectError(await newItem(stockKeeper, { minimumQuantity: 10, maximumQuantity: 5 }), 400, 'VALIDATION_ERROR');

    await api.http.patch(`/api/v1/inventory/items/${created.id}`).set(bearer(stockKeeper)).send({ location: 'Room 2', minimumQuantity: 15 }).expect(200);
    const scanned = (await api.http.post('/api/v1/inventory/scan').set(bearer(stockKeeper)).send({ barcode: 'INV-TAPE-5' }).expect(200)).body as ItemBody & { location: string };
    assert.deepEqual([scanned.id, scanned.location, scanned.lowStock], [created.id, 'Room 2', true]);
    expectError(await api.http.post('/api/v1/inventory/scan').set(bearer(stockKeeper)).send({ barcode: 'INV-NOTHING' }), 404, 'NOT_FOUND');
    const listed = (await api.http.get('/api/v1/inventory/items').query({ q: 'tape-5' }).set(bearer(stockKeeper)).expect(200)).body as { data: ItemBody[] };
    assert.deepEqual(listed.data.map((i) => i.id), [created.id]);

    const archived = (await api.http.delete(`/api/v1/inventory/items/${created.id}`).set(bearer(stockKeeper)).expect(200)).body as ItemBody;
    assert.ok(archived.archivedAt);
    expectError(await api.http.post('/api/v1/inventory/scan').set(bearer(stockKeeper)).send({ barcode: 'INV-TAPE-5' }), 404, 'NOT_FOUND');
    expectError(await api.http.post(`/api/v1/inventory/items/${created.id}/transactions`).set(bearer(stockKeeper)).send({ type: 'RECEIVE', quantity: 1 }), 404, 'NOT_FOUND');
    await api.http.get(`/api/v1/inventory/items/${created.id}`).set(bearer(stockKeeper)).expect(200);
  });

  test('transactions: receive, use and adjust, with who and why; an adjustment needs its reason; none goes below zero', async () => {
    const item = (await newItem(stockKeeper, { quantity: 5 }).expect(201)).body as ItemBody;
    const path = `/api/v1/inventory/items/${item.id}/transactions`;
    await api.http.post(path).set(bearer(stockKeeper)).send({ type: 'RECEIVE', quantity: 20, reason: 'Delivery 4711' }).expect(201);
    await api.http.post(path).set(bearer(admin)).send({ type: 'USE', quantity: 3 }).expect(201);
    const adjusted = (await api.http.post(path).set(bearer(stockKeeper)).send({ type: 'ADJUST', quantity: -2, reason: 'Count found two damaged' }).expect(201)).body as { item: ItemBody; transaction: { quantityAfter: number } };
    assert.deepEqual([adjusted.item.quantity, adjusted.transaction.quantityAfter], [20, 20]);
    expectError(await api.http.post(path).set(bearer(stockKeeper)).send({ type: 'ADJUST', quantity: -1 }), 400, 'VALIDATION_ERROR');
    expectError(await api.http.post(path).set(bearer(stockKeeper)).send({ type: 'ADJUST', quantity: -21, reason: 'Too many' }), 409, 'INSUFFICIENT_STOCK');
    const history = (await api.http.get(path).set(bearer(stockKeeper)).expect(200)).body as { data: { type: string; quantityChange: number; quantityAfter: number; byId: string; reason: string | null }[] };
    assert.deepEqual(
      history.data.map((t) => [t.type, t.quantityChange, t.quantityAfter, t.byId]),
      [
        ['ADJUST', -2, 20, stockKeeper.id],
        ['USE', -3, 22, admin.id],
        ['RECEIVE', 20, 25, stockKeeper.id],
        ['RECEIVE', 5, 5, stockKeeper.id],
      ],
    );
    const audit = await api.db.prisma.auditLog.findMany({ where: { clinicId, entityId: item.id }, select: { action: true } });
    assert.deepEqual(audit.map((a) => a.action).sort(), ['inventory.adjust', 'inventory.receive', 'inventory.use', 'inventoryItem.create']);
  });

  test('reorder requests: approved and rejected through their workflow; a decided one answers 409', async () => {
    const item = (await newItem(stockKeeper, { quantity: 1, minimumQuantity: 5 }).expect(201)).body as ItemBody;
    const ask = async () => (await api.http.post('/api/v1/inventory/reorder-requests').set(bearer(stockKeeper)).send({ itemId: item.id, quantity: 30, reason: 'Below minimum' }).expect(201)).body as { id: string; status: string; workflowId: string };
    const first = await ask();
    assert.deepEqual([first.status, first.workflowId], ['PENDING', `reorder/${clinicId}/${first.id}`]);
    // The admins were asked, by a message in the delivery log.
    await eventually('the admins are asked', () => api.db.prisma.message.findFirst({ where: { clinicId, templateKey: 'reorder-requested', recipient: { path: ['email'], equals: admin.email }, metadata: { path: ['reorderRequestId'], equals: first.id } } }));
    expectError(await api.http.post(`/api/v1/inventory/reorder-requests/${first.id}/approve`).set(bearer(stockKeeper)).send({}), 403, 'FORBIDDEN');
    const approved = (await api.http.post(`/api/v1/inventory/reorder-requests/${first.id}/approve`).set(bearer(admin)).send({ notes: 'Order it' }).expect(200)).body as { status: string; decidedById: string; decisionNotes: string };
    assert.deepEqual([approved.status, approved.decidedById, approved.decisionNotes], ['APPROVED', admin.id, 'Order it']);
    expectError(await api.http.post(`/api/v1/inventory/reorder-requests/${first.id}/reject`).set(bearer(admin)).send({}), 409, 'NOT_PENDING');

    const second = await ask();
    const rejected = (await api.http.post(`/api/v1/inventory/reorder-requests/${second.id}/reject`).set(bearer(admin)).send({ notes: 'Enough in stock' }).expect(200)).body as { status: string };
    assert.equal(rejected.status, 'REJECTED');
    const listed = (await api.http.get('/api/v1/inventory/reorder-requests').query({ itemId: item.id }).set(bearer(stockKeeper)).expect(200)).body as { data: { id: string; status: string }[] };
    assert.deepEqual(listed.data.map((r) => [r.id, r.status]), [[first.id, 'APPROVED'], [second.id, 'REJECTED']]);
    await api.http.get(`/api/v1/inventory/reorder-requests/${second.id}`).set(bearer(stockKeeper)).expect(200);
  });

  test('role matrix: who reads and keeps stock, asks for and decides reorders, reads and writes treatment records', async () => {
    const ALLOWED: Record<string, ClinicRole[]> = {
      'inventory:read': ['CLINIC_ADMIN', 'MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE', 'ACCOUNTANT', 'INVENTORY_MANAGER'],
      'inventory:manage': ['CLINIC_ADMIN', 'INVENTORY_MANAGER'],
      'reorder:request': ['CLINIC_ADMIN', 'MANAGER', 'INVENTORY_MANAGER'],
      'reorder:decide': ['CLINIC_ADMIN'],
      'treatment-record:read': ['CLINIC_ADMIN', 'MANAGER', 'DOCTOR', 'THERAPIST', 'NURSE'],
      'treatment-record:write': ['CLINIC_ADMIN', 'DOCTOR', 'THERAPIST', 'NURSE'],
    };
    const patient = await createPatient(api, clinicId);
    const type = (await api.http.post('/api/v1/therapy-types').set(bearer(admin)).send({ name: `Matrix ${randomUUID().slice(0, 6)}`, defaultDurationMinutes: 15, defaultPrice: '10', currency: 'EUR' }).expect(201)).body as { id: string };
    const stocked = (await newItem(admin, { barcode: `INV-MATRIX-${randomUUID().slice(0, 6)}`, quantity: 1000 }).expect(201)).body as ItemBody;
    let hour = 0;
    const failures: string[] = [];
    for (const role of CLINIC_ROLES) {
      const who = await actor(api, role, clinicId);
      // The session is the caller's own when the caller is a practitioner; otherwise a colleague's.
      const practitionerId = ['DOCTOR', 'THERAPIST', 'NURSE'].includes(role) ? who.id : (await actor(api, 'THERAPIST', clinicId)).id;
      const start = new Date(Date.UTC(2026, 11, 10, 0) + hour++ * 3_600_000);
      const appointment = await insertAppointment(api, { clinicId, patientId: patient.id, practitionerId, startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 1_800_000).toISOString(), status: 'IN_PROGRESS' });
      const pending = await api.db.prisma.reorderRequest.create({ data: { clinicId, itemId: stocked.id, quantity: 1, workflowId: `reorder/${clinicId}/matrix-${role}` } });
      const calls: Array<[string, () => Promise<{ status: number }>, number]> = [
        ['inventory:read', () => api.http.get('/api/v1/inventory/items').set(bearer(who)), 200],
        ['inventory:read', () => api.http.get('/api/v1/inventory/low-stock').set(bearer(who)), 200],
        ['inventory:read', () => api.http.post('/api/v1/inventory/scan').set(bearer(who)).send({ barcode: stocked.barcode }), 200],
        ['inventory:manage', () => newItem(who), 201],
        ['inventory:manage', () => api.http.post(`/api/v1/inventory/items/${stocked.id}/transactions`).set(bearer(who)).send({ type: 'RECEIVE', quantity: 1 }), 201],
        ['reorder:request', () => api.http.post('/api/v1/inventory/reorder-requests').set(bearer(who)).send({ itemId: stocked.id, quantity: 5 }), 201],
        // The row has no workflow: a caller allowed to decide is refused by the workflow's absence (409), the others by their role.
        ['reorder:decide', () => api.http.post(`/api/v1/inventory/reorder-requests/${pending.id}/approve`).set(bearer(who)).send({}), 409],
        ['treatment-record:write', () => api.http.post(`/api/v1/appointments/${appointment.id}/treatment-records`).set(bearer(who)).send({ items: [{ therapyTypeId: type.id }], materials: [{ itemId: stocked.id, quantity: 1 }] }), 201],
        ['treatment-record:read', () => api.http.get(`/api/v1/appointments/${appointment.id}/treatment-records`).set(bearer(who)), 200],
      ];
      for (const [permission, call, allowedStatus] of calls) {
        const expected = ALLOWED[permission]!.includes(role) ? allowedStatus : 403;
        const { status } = await call();
        if (status !== expected) failures.push(`${role} ${permission}: ${status}, expected ${expected}`);
      }
    }
    assert.deepEqual(failures, []);
  });
});
