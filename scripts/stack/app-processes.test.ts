import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import { BACKGROUND_NICENESS, runBehind } from './app-processes';

test('a background process runs at the launchers\' niceness, and niceness 0 leaves a process as it is', async () => {
  const spawnIdle = () => spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], { stdio: 'ignore' });
  const behind = spawnIdle();
  const asIs = spawnIdle();
  try {
    runBehind(behind);
    runBehind(asIs, 0);
    assert.equal(getPriority(behind.pid), Math.max(BACKGROUND_NICENESS, getPriority()));
    assert.equal(getPriority(asIs.pid), getPriority());
  } finally {
    for (const child of [behind, asIs]) {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  }
});
