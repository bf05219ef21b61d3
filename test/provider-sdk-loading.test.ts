/**
 * The API and the seed read provider descriptors only: loading them must not load nodemailer,
 * firebase-admin or the AWS SDK (nor any other delivery SDK, for the seed). Each entry point is
 * imported in a fresh Node process whose module resolution is watched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Every delivery SDK the connectors use. The API's webhooks verify signatures with twilio, @vonage and messagebird. */
const DELIVERY_SDKS = ['nodemailer', 'firebase-admin', '@aws-sdk', 'twilio', '@vonage', 'messagebird'];
const SENDING_ONLY_SDKS = ['nodemailer', 'firebase-admin', '@aws-sdk'];

/** A resolve hook that reports every package a module graph resolves (ESM imports, including CJS packages imported from ESM). */
const HOOK = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const pkg = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url)?.[1];
  if (pkg) process.stderr.write('PACKAGE ' + pkg + '\\n');
  return resolved;
}`;
const REGISTER = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOK)}`)});`;

/** The SDKs (of `watched`) that importing `entry` loads. */
async function sdksLoadedBy(entry: string, watched: readonly string[]): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(REGISTER)}`, '--import', 'tsx', '--eval', `await import(${JSON.stringify(path.join(ROOT, entry))})`], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 0, `importing ${entry} failed:\n${stderr}`);
  const packages = new Set([...stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]!));
  return watched.filter((sdk) => [...packages].some((p) => p === sdk || p.startsWith(`${sdk}/`)));
}

test('the connectors load the SDKs (so the probe below sees them)', async () => {
  assert.deepEqual(await sdksLoadedBy('activities/messaging/providers/connectors.ts', DELIVERY_SDKS), DELIVERY_SDKS.filter((p) => p !== 'messagebird'));
});

test('the descriptors and the seed load no delivery SDK', async () => {
  assert.deepEqual(await sdksLoadedBy('activities/messaging/providers/descriptors.ts', DELIVERY_SDKS), []);
  assert.deepEqual(await sdksLoadedBy('prisma/seed.ts', DELIVERY_SDKS), []);
});

test('the API loads none of the sending SDKs', async () => {
  assert.deepEqual(await sdksLoadedBy('api/app.ts', SENDING_ONLY_SDKS), []);
});
