/**
 * Stripe's own API mock (stripe-mock, built once by scripts/tools/ensure-tools.sh) on a free
 * loopback port: stripe-node talks to it as to api.stripe.com. It validates every request against
 * Stripe's OpenAPI spec and answers with fixture objects; it stores nothing. The test suite and
 * `npm start` (when no STRIPE_SECRET_KEY is configured) run it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';

export interface StripeMock {
  /** For PROVIDER_ENDPOINTS.stripe. */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startStripeMock(executable: string): Promise<StripeMock> {
  // Empty ports: the OS picks them; both listeners on loopback only (HTTPS otherwise listens everywhere).
  const child: ChildProcess = spawn(executable, ['-http-addr', '127.0.0.1:', '-https-addr', '127.0.0.1:'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const errors = readline.createInterface({ input: child.stderr! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stripe-mock did not start within 20 s')), 20_000);
    const onLine = (line: string) => {
      const found = /Listening for HTTP at address: 127\.0\.0\.1:(\d+)/.exec(line);
      if (found) {
        clearTimeout(timer);
        resolve(Number(found[1]));
      }
    };
    lines.on('line', onLine);
    errors.on('line', onLine);
    child.once('exit', (code) => reject(new Error(`stripe-mock exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
