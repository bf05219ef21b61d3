/** The processes the launcher runs (API, worker) and how the whole stack stops: in reverse order, once. */
import { type ChildProcess, spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
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

/**
 * The niceness of the processes whose work can wait a moment (the worker, the Temporal dev server)
 * when the whole stack shares one machine: the API and PostgreSQL then get the cores first, so a
 * burst of bookings is answered while the confirmations it causes queue for a few seconds. With
 * everything at one priority, the lifecycle work of a burst took the API's share of the cores and
 * booking p95 at 100/s was about six times higher (README, Performance). Only the launchers set it; a deployment
 * gives each process its own cores.
 */
export const BACKGROUND_NICENESS = 10;

/** Lowers a started process to `niceness` (0 leaves it as it is); never above the launcher's own priority, which would need privileges. */
export function runBehind(child: ChildProcess, niceness = BACKGROUND_NICENESS): void {
  if (niceness > 0 && child.pid !== undefined) setPriority(child.pid, Math.max(niceness, getPriority()));
}

/** Runs a ClinicFlow process (TypeScript through tsx) with its output lines prefixed by its name. */
export function spawnApp(name: string, script: string, env: NodeJS.ProcessEnv, niceness = 0): AppProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  runBehind(child, niceness);
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
