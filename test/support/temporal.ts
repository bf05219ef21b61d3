import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../temporal-config/data-converter';
import { searchAttributeDefinitions } from '../../temporal-config/search-attributes';
import { WORKFLOWS_PATH } from '../../workers/workflow-bundle';

export { WORKFLOWS_PATH };

/**
 * Temporal's time-skipping test server (the Java SDK's, fetched by scripts/tools/ensure-tools.sh)
 * with ClinicFlow's search attributes registered. That server cannot list search attributes, so
 * they are added outright rather than through ensureSearchAttributes.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const executable = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!executable) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run tests through scripts/test.sh');
  const env = await startTimeSkippingServer(executable);
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes: searchAttributeDefinitions() });
  return env;
}

/**
 * The SDK gives the server five seconds to listen; a machine busy with the rest of the suite
 * sometimes needs longer, so a slow start is tried again before the test fails on it.
 */
async function startTimeSkippingServer(executable: string, attempts = 5): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: executable } } });
    } catch (err) {
      if (attempt >= attempts || !/did not start within/.test(String(err))) throw err;
    }
  }
}

/**
 * Bundling workflow code takes seconds: tests bundle once per file. Webpack's chatter is dropped.
 * The bundle carries the product's failure converter, as the worker's own bundle does.
 */
export function bundleWorkflows() {
  const noop = () => undefined;
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } });
}

/** Address of the real Temporal dev server the test runner started. */
export function devServerAddress(): string {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run tests through scripts/test.sh');
  return address;
}
