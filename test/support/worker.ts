/** A real worker in the test process: every workflow and activity, on the dev server, over the test's database. */
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createMessagingDeps } from '../../activities/messaging/messaging-deps';
import { TASK_QUEUES } from '../../domain/temporal';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../../temporal-config/data-converter';
import { type Tracing, TRACING_WORKFLOW_MODULE, tracingWorkerOptions } from '../../temporal-config/tracing';
import { type TestApi } from './api';
import { bundleWorkflows, devServerAddress, WORKFLOWS_PATH } from './temporal';
import { bundleWorkflowCode } from '@temporalio/worker';
import { payLinkSettings } from '../../activities/payments/pay-links';

export interface TestWorker {
  stop(): Promise<void>;
}

/**
 * Runs with the API's own configuration (so it reads the payloads and credentials the API
 * encrypted); `endpoints` points providers at the test's local peers. `tracing`: the worker's
 * tracing interceptors and sink, as workers/worker.ts adds them when traces are exported.
 */
export async function startTestWorker(api: TestApi, endpoints: Record<string, string> = {}, { tracing }: { tracing?: Tracing } = {}): Promise<TestWorker> {
  const traced = tracingWorkerOptions(tracing ?? null);
  const noop = () => undefined;
  const bundle = tracing
    ? await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, failureConverterPath: FAILURE_CONVERTER_PATH, workflowInterceptorModules: [TRACING_WORKFLOW_MODULE], logger: { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop } })
    : await bundleWorkflows();
  const messaging = createMessagingDeps({ ...api.config, PROVIDER_ENDPOINTS: endpoints });
  const dataConverter = createDataConverter({ keys: api.config.PAYLOAD_ENCRYPTION_KEYS, currentKeyId: api.config.PAYLOAD_ENCRYPTION_KEY_ID });
  const connection = await NativeConnection.connect({ address: devServerAddress() });
  const worker = await Worker.create({
    connection,
    taskQueue: TASK_QUEUES.operations,
    workflowBundle: bundle,
    activities: createActivities({ prisma: api.db.prisma, ...messaging, opsEmail: api.config.OPS_ALERT_EMAIL, temporal: new Client({ connection, dataConverter, interceptors: traced.interceptors.client }), payLinks: payLinkSettings(api.config) }),
    dataConverter,
    interceptors: { activity: traced.interceptors.activity },
    sinks: traced.sinks,
  });
  const running = worker.run().finally(() => messaging.clients.closeAll());
  return {
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}
