/**
 * Reorder requests on real activities, PostgreSQL and SMTP deliveries (test/support/lifecycle.ts):
 * approval and rejection on the run's dev server (updates, no timers); the reminder after 2 days
 * and the expiry after 7 on the time-skipping server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { REORDER_EXPIRE_AFTER_MS, REORDER_REMIND_AFTER_MS, reorderRequestStateQuery, reorderRequestUpdates } from '../../domain/reorder-requests';
import { reorderRequestStart } from '../../domain/temporal';
import { type LifecycleFixture, useLifecycleFixture } from '../../test/support/lifecycle';
import { reorderRequestWorkflow } from './reorder-request';

const ADMIN_EMAIL = 'admin@sunrise.test';

async function requestOn(f: LifecycleFixture, client = f.client) {
  const sku = `GLV-${randomUUID().slice(0, 6)}`;
  const item = await f.db.prisma.inventoryItem.create({ data: { clinicId: f.clinicId, name: 'Nitrile gloves', sku, unit: 'box', currency: 'EUR', quantity: 2, minimumQuantity: 5 } });
  const id = randomUUID();
  const now = new Date((await f.env.currentTimeMs()) as number);
  const row = await f.db.prisma.reorderRequest.create({
    data: { id, clinicId: f.clinicId, itemId: item.id, quantity: 20, requestedById: f.practitioner.id, workflowId: `reorder/${f.clinicId}/${id}`, createdAt: now },
  });
  const handle = await client.workflow.start(reorderRequestWorkflow, reorderRequestStart(f.clinicId, id));
  return { item, request: row, handle };
}

type Mail = { to?: Array<{ address: string }>; subject?: string; text?: string };
const mailTo = (to: string, subject: RegExp, sku: string) => (m: Mail) => !!m.to?.some((t) => t.address === to) && subject.test(m.subject ?? '') && (m.text ?? '').includes(sku);

describe('decisions', () => {
  const f = useLifecycleFixture({ timeSkipping: false });

  test('approved: the admins were asked, the request is APPROVED with its notes, the requester is told, no second decision', async () => {
    const { item, request, handle } = await requestOn(f);
    assert.equal((await f.emails(mailTo(ADMIN_EMAIL, /^Reorder request: 20 box of Nitrile gloves/, item.sku), 1)).length, 1, 'the admin is asked');
    const answer = await handle.executeUpdate(reorderRequestUpdates.approve, { args: [{ byId: f.practitioner.id, notes: 'Order from the usual supplier' }] });
    assert.equal(answer.status, 'APPROVED');
    assert.deepEqual(await handle.result(), { status: 'APPROVED' });
    const row = await f.db.prisma.reorderRequest.findUniqueOrThrow({ where: { id: request.id } });
    assert.deepEqual([row.status, row.decisionNotes, row.decidedById], ['APPROVED', 'Order from the usual supplier', f.practitioner.id]);
    assert.equal((await f.emails(mailTo(f.practitioner.email, /Reorder of Nitrile gloves: approved/, item.sku), 1)).length, 1);
  });

  test('rejected: REJECTED in the table, the requester is told', async () => {
    const { item, request, handle } = await requestOn(f);
    await handle.executeUpdate(reorderRequestUpdates.reject, { args: [{ byId: f.practitioner.id, notes: 'Enough in the back room' }] });
    assert.deepEqual(await handle.result(), { status: 'REJECTED' });
    assert.equal((await f.db.prisma.reorderRequest.findUniqueOrThrow({ where: { id: request.id } })).status, 'REJECTED');
    assert.equal((await f.emails(mailTo(f.practitioner.email, /Reorder of Nitrile gloves: rejected/, item.sku), 1)).length, 1);
    await assert.rejects(handle.executeUpdate(reorderRequestUpdates.approve, { args: [{ byId: f.practitioner.id }] }), 'a decided request takes no other decision');
  });
});

describe('an undecided request', () => {
  const skipping = useLifecycleFixture();

  test('reminds the admins once after 2 days and expires after 7', async () => {
    const { item, request, handle } = await requestOn(skipping);
    // env.client lets the server skip ahead through both timers.
    assert.deepEqual(await skipping.env.client.workflow.getHandle(handle.workflowId).result(), { status: 'EXPIRED' });
    const row = await skipping.db.prisma.reorderRequest.findUniqueOrThrow({ where: { id: request.id } });
    assert.equal(row.status, 'EXPIRED');
    const remindedLate = (row.remindedAt?.getTime() ?? 0) - (request.createdAt.getTime() + REORDER_REMIND_AFTER_MS);
    assert.ok(remindedLate >= 0 && remindedLate < 60_000, `reminded 2 days after the request (${remindedLate} ms late)`);
    const expiredLate = (row.decidedAt?.getTime() ?? 0) - (request.createdAt.getTime() + REORDER_EXPIRE_AFTER_MS);
    assert.ok(expiredLate >= 0 && expiredLate < 60_000, `expired 7 days after the request (${expiredLate} ms late)`);
    assert.equal((await skipping.emails(mailTo(ADMIN_EMAIL, /^Still waiting: reorder of Nitrile gloves/, item.sku), 1)).length, 1, 'one reminder');
    assert.equal((await skipping.emails(mailTo(ADMIN_EMAIL, /Reorder of Nitrile gloves: expired/, item.sku), 1)).length, 1, 'the expiry is told');
    const state = await skipping.client.workflow.getHandle(handle.workflowId).query(reorderRequestStateQuery).catch(() => undefined);
    if (state) assert.deepEqual(state, { status: 'EXPIRED', reminded: true });
  });
});
