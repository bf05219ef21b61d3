/** stripe-mock for a test file (scripts/stack/stripe-mock.ts), from the build scripts/test.sh made. */
import { type StripeMock, startStripeMock as start } from '../../scripts/stack/stripe-mock';

export type { StripeMock };

export async function startStripeMock(): Promise<StripeMock> {
  const executable = process.env.STRIPE_MOCK_PATH;
  if (!executable) throw new Error('STRIPE_MOCK_PATH is not set: run tests through scripts/test.sh');
  return start(executable);
}
