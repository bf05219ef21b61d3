import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { CIRCUIT_COOLDOWN_MS, CIRCUIT_FAILURE_THRESHOLD, createCircuitActivities } from './circuit-activities';

let db: TestDatabase;
let acts: ReturnType<typeof createCircuitActivities>;
let clinicId: string;
let other: string;

before(async () => {
  db = await createTestDatabase();
  acts = createCircuitActivities({ prisma: db.prisma });
  const mk = (name: string) => db.prisma.clinic.create({ data: { name, timezone: 'UTC', licenseTierCode: 'S' } });
  [clinicId, other] = [(await mk('A')).id, (await mk('B')).id];
});
after(async () => db?.drop());

test('repeated failures open the circuit; after the cooldown one probe decides', async () => {
  const where = { clinicId, channel: 'email' as const, provider: 'smtp' };
  const t0 = Date.UTC(2026, 10, 21, 9);
  for (let i = 0; i < CIRCUIT_FAILURE_THRESHOLD - 1; i++) await acts.recordCircuit({ ...where, healthy: false, at: t0 });
  assert.equal(await acts.circuitAllows({ ...where, at: t0 }), true, 'still closed below the threshold');
  await acts.recordCircuit({ ...where, healthy: false, at: t0 });
  assert.equal(await acts.circuitAllows({ ...where, at: t0 + 1000 }), false, 'open: skipped');
  assert.equal(await acts.circuitAllows({ ...where, provider: 'ses', at: t0 + 1000 }), true, 'other providers unaffected');
  assert.equal(await acts.circuitAllows({ clinicId: other, channel: 'email', provider: 'smtp', at: t0 + 1000 }), true, 'other clinics unaffected');

  assert.equal(await acts.circuitAllows({ ...where, at: t0 + CIRCUIT_COOLDOWN_MS }), true, 'cooldown over: a probe goes through');
  await acts.recordCircuit({ ...where, healthy: false, at: t0 + CIRCUIT_COOLDOWN_MS });
  assert.equal(await acts.circuitAllows({ ...where, at: t0 + CIRCUIT_COOLDOWN_MS + 1000 }), false, 'a failed probe re-opens it');

  assert.equal(await acts.circuitAllows({ ...where, at: t0 + 2 * CIRCUIT_COOLDOWN_MS + 1000 }), true);
  await acts.recordCircuit({ ...where, healthy: true, at: t0 + 2 * CIRCUIT_COOLDOWN_MS + 1000 });
  const row = await db.prisma.providerCircuit.findFirstOrThrow({ where });
  assert.deepEqual([row.state, row.consecutiveFailures, row.openedAt], ['CLOSED', 0, null]);
});
