/** The Temporal dev server (Temporal CLI) with its Web UI, for the local stack and the test suite. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { runBehind } from './app-processes';

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: string;
  port: number;
  /** Web UI port; omit for a headless server. */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server. */
  dbFile?: string;
  namespace?: string;
  /**
   * SQLite pragmas for the server's file, e.g. `{ journal_mode: 'wal', synchronous: 'normal' }`:
   * about twice the workflow throughput of the defaults on this machine kind (ENVIRONMENT.md).
   */
  sqlitePragmas?: Record<string, string>;
  /** Run it at this niceness (`runBehind`); unset: the launcher's own priority. */
  niceness?: number;
  /** Dynamic config values (`--dynamic-config-value KEY=VALUE`; strings are JSON-quoted for the CLI). */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--namespace', opts.namespace ?? 'default', '--log-level', 'error'];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const [name, value] of Object.entries(opts.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${name}=${value}`);
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  runBehind(child, opts.niceness ?? 0);
  const address = `127.0.0.1:${opts.port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitUntilServing(address, child);
  return {
    address,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Waits until a Temporal frontend answers, or fails after the timeout. */
export async function waitUntilServing(address: string, child?: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}
