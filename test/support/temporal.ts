import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '../../workflows/index.ts');

/** Temporal's time-skipping test server (the Java SDK's, fetched by scripts/tools/ensure-tools.sh). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const executable = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!executable) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run tests through scripts/test.sh');
  return TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: executable } } });
}

/** Address of the real Temporal dev server the test runner started. */
export function devServerAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run tests through scripts/test.sh');
  return address;
}
