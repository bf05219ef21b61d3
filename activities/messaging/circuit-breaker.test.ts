import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { CIRCUIT_COOLDOWN_MS, CIRCUIT_FAILURE_THRESHOLD, createCircuitBreaker } from './circuit-breaker';

let db: TestDatabase;
let circuits: ReturnType<typeof createCircuitBreaker>;
let clinicId: string;
let other: string;

before(async () => {
  db = await createTestDatabase();
  circuits = createCircuitBreaker(db.prisma);
  const mk = (name: string) => db.prisma.clinic.create({ data: { name, timezone: 'UTC', licenseTierCode: 'S' } });
  [clinicId, other] = [(await mk('A')).id, (await mk('B')).id];
});
after(async () => db?.drop());

test('repeated failures open the circuit of one entry; after the cooldown probes decide', async () => {
  const where = { clinicId, channel: 'email' as const, entryId: 'relay', provider: 'smtp' };
  const t0 = Date.UTC(2026, 10, 21, 9);
  for (let i = 0; i < CIRCUIT_FAILURE_THRESHOLD - 1; i++) assert.deepEqual(await circuits.record(where, false, t0), { opened: false });
  assert.deepEqual(await circuits.gate(where, t0), { allowed: true }, 'still closed below the threshold');
  assert.deepEqual(await circuits.record(where, false, t0), { opened: true }, 'the failure that opens it says so (an incident starts)');
  assert.deepEqual(await circuits.gate(where, t0 + 1000), { allowed: false, reopensAtMs: t0 + CIRCUIT_COOLDOWN_MS }, 'open: skipped, with when it may be probed');
  assert.deepEqual(await circuits.gate({ ...where, entryId: 'backup' }, t0 + 1000), { allowed: true }, 'another entry of the same provider type is unaffected');
  assert.deepEqual(await circuits.gate({ ...where, clinicId: other }, t0 + 1000), { allowed: true }, 'other clinics unaffected');

  assert.deepEqual(await circuits.gate(where, t0 + CIRCUIT_COOLDOWN_MS), { allowed: true }, 'cooldown over: a probe goes through');
  assert.deepEqual(await circuits.record(where, false, t0 + CIRCUIT_COOLDOWN_MS), { opened: false }, 'a failed probe re-opens it: the same incident');
  assert.equal((await circuits.gate(where, t0 + CIRCUIT_COOLDOWN_MS + 1000)).allowed, false);

  assert.equal((await circuits.gate(where, t0 + 2 * CIRCUIT_COOLDOWN_MS + 1000)).allowed, true);
  await circuits.record(where, true, t0 + 2 * CIRCUIT_COOLDOWN_MS + 1000);
  const row = await db.prisma.providerCircuit.findFirstOrThrow({ where: { clinicId, entryId: 'relay' } });
  assert.deepEqual([row.state, row.consecutiveFailures, row.openedAt], ['CLOSED', 0, null]);
});

test('a success on a closed circuit writes nothing', async () => {
  const where = { clinicId, channel: 'sms' as const, entryId: 'twilio-main', provider: 'twilio' };
  await circuits.record(where, true, Date.now());
  assert.equal(await db.prisma.providerCircuit.count({ where: { clinicId, entryId: 'twilio-main' } }), 0);
});
