/**
 * Schemathesis as every other role: random values for every operation (fuzzing), so each role's
 * permission checks, tenant resolution and the handlers it may reach meet hostile input. The
 * platform roles act on one clinic with X-Clinic-Id. No server error, documented statuses and
 * bodies. About three minutes.
 */
import { after, before, test } from 'node:test';
import { ROLES } from '../domain/roles';
import { type FuzzTarget, startFuzzTarget } from './support/schemathesis';

let target: FuzzTarget;

before(async () => {
  target = await startFuzzTarget();
});

after(async () => {
  await target?.close();
});

for (const role of ROLES.filter((r) => r !== 'CLINIC_ADMIN')) {
  test(`as ${role}: no server error, documented statuses and response bodies`, async () => {
    // The platform roles reach the platform's own operations (clinics, billing, tiers): a longer round.
    await target.fuzzAs(role, { phases: 'examples,fuzzing', maxExamples: role === 'SUPER_ADMIN' || role === 'OPS' ? 3 : 2 });
  });
}
