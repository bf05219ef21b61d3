/**
 * The baseline other benchmarks compare against: how many no-op workflows (one no-op activity
 * each) the Temporal server at `address` runs per second, with one worker and `concurrency`
 * starters that each start a workflow and wait for its result. Measured in the same run as the
 * figure it is a baseline for, on the same server, so that machine and server state cancel out.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { noopActivities } from './noop-activities';
import { noopWorkflow } from './noop-workflow';

export interface TemporalBaselineOptions {
  address: string;
  namespace?: string;
  workflows?: number;
  concurrency?: number;
}

export interface TemporalBaseline {
  workflows: number;
  concurrency: number;
  seconds: number;
  /** Completed no-op workflows per second. */
  workflowsPerSecond: number;
}

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, log: () => undefined };

export async function measureTemporalBaseline(opts: TemporalBaselineOptions): Promise<TemporalBaseline> {
  const { address, namespace = 'default', workflows = 1000, concurrency = 20 } = opts;
  // A task queue of its own: nothing else's backlog is served by this worker, nor this one's by others.
  const taskQueue = `bench-baseline-${randomUUID()}`;
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.resolve(import.meta.dirname, 'noop-workflow.ts'), logger: quiet });
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({ connection: nativeConnection, namespace, taskQueue, workflowBundle, activities: noopActivities });
    const client = new Client({ connection, namespace });
    return await worker.runUntil(async () => {
      let next = 0;
      const started = performance.now();
      const starter = async () => {
        while (next < workflows) {
          next++;
          await client.workflow.execute(noopWorkflow, { taskQueue, workflowId: `${taskQueue}/${next}` });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, starter));
      const seconds = (performance.now() - started) / 1000;
      return { workflows, concurrency, seconds, workflowsPerSecond: workflows / seconds };
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}
