/**
 * moto's server (PyPI moto[server], installed by scripts/tools/ensure-tools.sh into the Python
 * tools' virtual environment) on a free loopback port: a local S3-compatible peer for the S3
 * file storage, spoken to through the real AWS SDK.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startMoto(): Promise<Moto> {
  const executable = process.env.MOTO_SERVER_PATH;
  if (!executable) throw new Error('MOTO_SERVER_PATH is not set: run the tests through scripts/test.sh');
  const port = await freePort();
  const child: ChildProcess = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    const up = await fetch(`${url}/moto-api/`).then(() => true, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error('moto_server did not start within 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
