/** What every part of the launcher shares: where the repository is, how it reports, how it waits. */
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export const log = (message: string) => console.log(`[start] ${message}`);
/** Paths inside the repository read best relative to it, others in full. */
export const displayPath = (p: string) => (p.startsWith(`${ROOT}${path.sep}`) ? path.relative(ROOT, p) : p);

/** A problem the user can fix; printed without a stack trace. */
export class LaunchError extends Error {}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One line per cause of `err`: its class, message and code (a Temporal ServiceError's gRPC status
 * is in its cause). Never the errors' other fields, which may hold credentials.
 */
export function causeLines(err: unknown): string[] {
  const lines: string[] = [];
  for (let cause = err instanceof Error ? err.cause : undefined; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    lines.push(`  caused by ${cause.name}: ${cause.message}${code === undefined ? '' : ` (code ${String(code)})`}`);
  }
  return lines;
}

/** Polls until `check` holds; false when the time is up or the stack is stopping. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    if (await check()) return true;
    await delay(200);
  }
  return false;
}

