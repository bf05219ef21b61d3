/**
 * Determinism guard: every recorded history in test/fixtures/histories must replay against the
 * current workflow code. A change that would break running workflows fails here; such changes
 * need patched() (see README "Changing workflow code").
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../test/support/temporal';

const HISTORIES = path.resolve(import.meta.dirname, '../test/fixtures/histories');

test('recorded workflow histories replay without nondeterminism', async () => {
  const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.history.pb')).sort();
  for (const name of ['licensing-check', 'licensing-sweep', 'appointment-completed', 'appointment-completed-local-messages', 'appointment-no-show', 'appointment-booked-after-outage', 'reschedule-request-approved', 'payment-balance-final-notice', 'payment-reminder-run', 'message-delivery-retried']) {
    assert.ok(files.includes(`${name}.history.pb`), `${name} is recorded`);
  }
  const workflowBundle = await bundleWorkflows();
  for (const file of files) {
    const history = proto.temporal.api.history.v1.History.decode(await readFile(path.join(HISTORIES, file)));
    assert.ok(history.events.length > 5, `${file} holds a whole run`);
    await Worker.runReplayHistory({ workflowBundle }, history, file);
  }
});
