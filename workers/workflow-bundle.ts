/**
 * What the worker's workflow bundle is made of (every workflow of workflows/index.ts, the log
 * attribute interceptor, the product's failure converter), shared by the worker, which bundles at
 * start, and `npm run build:workflows`, which bundles ahead of time: a worker given the file
 * (WORKFLOW_BUNDLE_PATH) loads it and never runs webpack, so it starts faster and keeps a few
 * hundred MiB less resident.
 */
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../temporal-config/data-converter';

export const WORKFLOWS_PATH = path.resolve(import.meta.dirname, '../workflows/index.ts');
export const LOG_ATTRIBUTES_MODULE = path.resolve(import.meta.dirname, '../workflows/log-attributes.ts');

const quiet = () => undefined;

/** The bundle's code, as `npm run build:workflows` writes it; webpack's chatter is dropped, its warnings and errors kept. */
export async function buildWorkflowBundle(): Promise<string> {
  const logger = { trace: quiet, debug: quiet, info: quiet, log: quiet, warn: console.warn, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [LOG_ATTRIBUTES_MODULE], failureConverterPath: FAILURE_CONVERTER_PATH, logger });
  return code;
}
