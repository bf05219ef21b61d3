import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ProviderError } from '../../activities/messaging/providers/provider-error';

/**
 * The ProviderError a promise rejects with, checked to reveal none of `hidden` (secrets,
 * recipients, message text) in its message or anywhere in its printed form.
 */
export async function rejectsWithProviderError(promise: Promise<unknown>, hidden: readonly string[]): Promise<ProviderError> {
  const err = await promise.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ProviderError, `not a ProviderError: ${inspect(err)}`);
  const shown = `${err.message} ${inspect(err, { depth: 5 })}`;
  for (const secret of hidden) assert.ok(!shown.includes(secret), `error reveals ${secret}: ${shown}`);
  return err;
}
