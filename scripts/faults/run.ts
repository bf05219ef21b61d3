/**
 * `npm run faults`: the fault cases of scripts/faults/cases.ts at full size on a stack of their own,
 * each printed with its figures. Exits 1 when a case is not met (or could not run).
 * FAULT_CASES=temporal,postgres,worker,api picks cases; FAULT_SIZE=fast runs the small sizes of `npm test`.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { parseBenchSettings } from '../bench/settings';
import { startBenchStack } from '../bench/stack';
import { printVerdicts } from '../bench/stats';
import { FAST_SIZE, FAULT_CASES, FULL_SIZE } from './cases';

const log = (line: string) => console.log(`[faults] ${new Date().toISOString().slice(11, 19)} ${line}`);

async function main(): Promise<number> {
  const chosen = (process.env.FAULT_CASES ?? FAULT_CASES.map((c) => c.name).join(',')).split(',').map((s) => s.trim());
  const unknown = chosen.filter((name) => !FAULT_CASES.some((c) => c.name === name));
  if (unknown.length) throw new Error(`unknown FAULT_CASES: ${unknown.join(', ')} (known: ${FAULT_CASES.map((c) => c.name).join(', ')})`);
  const size = process.env.FAULT_SIZE === 'fast' ? FAST_SIZE : FULL_SIZE;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const began = Date.now();
  // Retries and reconnections are the point here: the processes' warnings about them would bury the figures.
  const stack = await startBenchStack(parseBenchSettings(process.env), log, { LOG_LEVEL: 'error' });
  const stop = () => void stack.stop().then(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let failed = 0;
  try {
    for (const c of FAULT_CASES.filter((x) => chosen.includes(x.name))) {
      const caseBegan = Date.now();
      try {
        const result = await c.run(stack, size, log);
        printVerdicts(`${result.title} (${((Date.now() - caseBegan) / 1000).toFixed(0)} s)`, result.verdicts);
        if (result.verdicts.some((v) => !v.met)) failed++;
      } catch (err) {
        failed++;
        console.log(`\n${c.name}: NOT MET, the case could not finish: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    await stack.stop();
  }
  console.log(`\n[faults] ${failed === 0 ? 'every case met' : `${failed} case(s) not met`} in ${((Date.now() - began) / 60_000).toFixed(1)} min`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
