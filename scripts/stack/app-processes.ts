/** The processes the launcher runs (API, worker) and how the whole stack stops: in reverse order, once. */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { errorMessage, LaunchError, log, ROOT, waitUntil } from './launcher-support';

export const CHILD_STOP_GRACE_MS = 20_000;
const API_READY_TIMEOUT_MS = 120_000;

/** What has been started, stopped in reverse order: API and worker, then Temporal, then PostgreSQL. */
export class Stack {
  private readonly steps: Array<{ name: string | null; stop: () => Promise<void> }> = [];
  readonly abort = new AbortController();

  /** `name` null: a step too small to announce. */
  onStop(name: string | null, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  async stopAll(): Promise<void> {
    for (const step of [...this.steps].reverse()) {
      if (step.name) log(`stopping ${step.name}`);
      await step.stop().catch((err: unknown) => log(`could not stop ${step.name ?? 'a step'}: ${errorMessage(err)}`));
    }
  }
}

export interface AppProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<void>;
}

/** Runs a ClinicFlow process (TypeScript through tsx) with its output lines prefixed by its name. */
export function spawnApp(name: string, script: string, env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    readline.createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
  }
  return { name, child, exited };
}

/** SIGTERM lets the API finish its requests and the worker its tasks; SIGKILL if they take too long. */
export async function stopApp(app: AppProcess): Promise<void> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGTERM');
  const exitedInTime = await Promise.race([app.exited.then(() => true), delay(CHILD_STOP_GRACE_MS, false)]);
  if (!exitedInTime) {
    log(`${app.name} did not stop within ${CHILD_STOP_GRACE_MS / 1000} s: killing it`);
    app.child.kill('SIGKILL');
    await app.exited;
  }
}

/** Any process of the stack ending on its own takes the whole stack down: half a system misleads. */
export function watchForUnexpectedExit(stack: Stack, name: string, child: ChildProcess, shutdown: (code: number) => void): void {
  child.once('exit', (code, signal) => {
    // A Ctrl-C in a terminal reaches the children too; give the launcher's own signal handler
    // the chance to run first, so a normal stop is not reported as a crash.
    setTimeout(() => {
      if (stack.stopping) return;
      log(`${name} exited unexpectedly (${signal ?? `code ${code}`}): stopping everything`);
      shutdown(1);
    }, 500);
  });
}

/** Waits for the API's /healthz to answer 200. */
export async function waitForApi(healthUrl: string, signal: AbortSignal): Promise<void> {
  const ok = await waitUntil(
    async () => {
      const response = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      return response?.status === 200;
    },
    API_READY_TIMEOUT_MS,
    signal,
  );
  if (signal.aborted) throw signal.reason;
  if (!ok) throw new LaunchError(`The API did not answer ${healthUrl} within ${API_READY_TIMEOUT_MS / 1000} s`);
}
