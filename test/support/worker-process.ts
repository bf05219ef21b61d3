/**
 * The real worker (workers/worker.ts) in a child process, so a test can SIGKILL it in the middle
 * of an activity the way a machine dies: no shutdown hooks, no in-flight completion reported.
 * Plus a TCP relay between such a worker and Temporal that can go silent, so that a kill can land
 * in the window where the worker has done its work but Temporal has not heard about it yet.
 *
 *   startWorkerProcess(env, readiness) → { pid, ready, kill, exited, output }
 *   stopWorkerProcesses()              → SIGKILLs every child still alive and waits for its exit
 *   startTemporalRelay(address)        → { address, silence, close }
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection } from '@temporalio/client';
// CommonJS: its namespaces are not visible as ESM named exports.
import proto from '@temporalio/proto';
import { TASK_QUEUES } from '../../domain/temporal';

const ROOT = path.resolve(import.meta.dirname, '../..');
const WORKER_ENTRY = path.join(ROOT, 'workers/worker.ts');
/** The worker bundles the workflow code with webpack before it polls: seconds, more on a busy machine. */
const READY_TIMEOUT_MS = 90_000;
/** Output kept per child for failure messages; the start is dropped first. */
const OUTPUT_LIMIT = 64 * 1024;

export interface WorkerProcess {
  pid: number;
  /** Resolves once Temporal has seen this very process poll the task queue for workflow and activity tasks. */
  ready: Promise<void>;
  /** SIGKILL by default: a crash, not a graceful shutdown (SIGTERM lets in-flight activities finish). */
  kill(signal?: NodeJS.Signals): void;
  /** The exit code; null when a signal ended the process. Never rejects. */
  exited: Promise<number | null>;
  /** What the process wrote to stdout and stderr so far. */
  output(): string;
}

export interface Readiness {
  /** Any connection to the same Temporal server (not through a relay that may go silent). */
  connection: Pick<Connection, 'workflowService'>;
  namespace?: string;
  taskQueue?: string;
}

const alive = new Map<ChildProcess, Promise<number | null>>();
// Last resort if the test process itself ends abruptly: no worker may outlive it.
process.once('exit', () => {
  for (const child of alive.keys()) child.kill('SIGKILL');
});

/**
 * Starts `node --import tsx workers/worker.ts` with the test's environment plus `env` (DATABASE_URL,
 * TEMPORAL_ADDRESS, key rings, PROVIDER_ENDPOINTS…: the worker reads nothing else).
 */
export function startWorkerProcess(env: Record<string, string>, readiness: Readiness): WorkerProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // node:test marks its own children with this; the worker is not a test file.
  delete childEnv.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('the worker process did not start');
  const pid = child.pid;

  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      alive.delete(child);
      resolve(code);
    });
    child.once('error', (err) => {
      keep(Buffer.from(`\n[spawn error] ${err.message}\n`));
      alive.delete(child);
      resolve(null);
    });
  });
  alive.set(child, exited);

  const ready = Promise.race([
    waitForPollers(pid, readiness, () => alive.has(child)),
    exited.then((code) => {
      throw new Error(`worker ${pid} exited (${code}) before it polled:\n${output}`);
    }),
  ]);
  // A test that never awaits `ready` (the worker died first) must not crash on an unhandled rejection.
  ready.catch(() => undefined);

  return {
    pid,
    ready,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    exited,
    output: () => output,
  };
}

/** Crashes every worker process still running and waits until each is gone (for `after`). */
export async function stopWorkerProcesses(): Promise<void> {
  const pending = [...alive.entries()];
  for (const [child] of pending) child.kill('SIGKILL');
  await Promise.all(pending.map(([, exited]) => exited));
}

/**
 * Temporal lists a task queue's recent pollers by identity, which the SDK sets to `pid@hostname`.
 * The process counts as ready once it polls for both kinds of task. Pollers of a worker killed
 * earlier stay listed for minutes, which is why this matches the pid and not just any poller.
 */
async function waitForPollers(pid: number, { connection, namespace = 'default', taskQueue = TASK_QUEUES.operations }: Readiness, running: () => boolean): Promise<void> {
  const identity = `${pid}@${os.hostname()}`;
  const { TaskQueueType, TaskQueueKind } = proto.temporal.api.enums.v1;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // A process that died stops the polling here too (its `ready` has already failed).
  while (Date.now() < deadline && running()) {
    const polls = await Promise.all(
      [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map(async (taskQueueType) => {
        const { pollers } = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL }, taskQueueType });
        return (pollers ?? []).some((p) => p.identity === identity);
      }),
    );
    if (polls.every(Boolean)) return;
    await sleep(200);
  }
  throw new Error(running() ? `worker ${pid} did not poll ${taskQueue} within ${READY_TIMEOUT_MS / 1000} s` : `worker ${pid} is gone`);
}

export interface TemporalRelay {
  /** host:port to give a worker as TEMPORAL_ADDRESS. */
  address: string;
  /**
   * From now on nothing the worker sends reaches Temporal (its bytes are dropped), while the
   * worker runs on and Temporal's answers still reach it: a completion reported after this is lost.
   */
  silence(): void;
  /** Drops every relayed connection, as the kernel does for a killed process, and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** A plain TCP relay to Temporal's gRPC port; HTTP/2 passes through untouched. */
export async function startTemporalRelay(upstreamAddress: string): Promise<TemporalRelay> {
  const sep = upstreamAddress.lastIndexOf(':');
  const upstreamHost = upstreamAddress.slice(0, sep);
  const upstreamPort = Number(upstreamAddress.slice(sep + 1));
  const sockets = new Set<net.Socket>();
  let silenced = false;

  const server = net.createServer((downstream) => {
    const upstream = net.connect({ host: upstreamHost, port: upstreamPort });
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      // Either side going away takes the other with it; the error itself is expected after a kill.
      socket.on('error', () => undefined);
    }
    downstream.on('close', () => upstream.destroy());
    upstream.on('close', () => downstream.destroy());
    downstream.on('data', (chunk: Buffer) => {
      if (!silenced) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => downstream.write(chunk));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;

  return {
    address: `127.0.0.1:${port}`,
    silence: () => {
      silenced = true;
    },
    // Safe to call again (a test and its afterEach both may).
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  };
}
