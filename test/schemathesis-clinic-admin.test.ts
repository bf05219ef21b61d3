/**
 * Schemathesis as CLINIC_ADMIN, the role that reaches nearly every operation, in every phase:
 * boundary and invalid values of every parameter (coverage: NUL characters, lone surrogates,
 * overlong strings, wrong types), random ones (fuzzing) and chains of creates and reads
 * (stateful). No server error, documented statuses and bodies. About four minutes.
 */
import { after, before, test } from 'node:test';
import { type FuzzTarget, startFuzzTarget } from './support/schemathesis';

let target: FuzzTarget;

before(async () => {
  target = await startFuzzTarget();
});

after(async () => {
  await target?.close();
});

test('as CLINIC_ADMIN: no server error, documented statuses and response bodies', async () => {
  await target.fuzzAs('CLINIC_ADMIN', { phases: 'examples,coverage,fuzzing,stateful', maxExamples: 3 });
});
