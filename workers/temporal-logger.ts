/**
 * Temporal's logger (the SDK's own messages, workflow `log` through its sink, activity `log`, and
 * Core's forwarded logs) written through pino, so the worker logs one JSON format. The SDK adds
 * workflowId, runId, activityType… to each message's meta; ClinicFlow's interceptors add clinicId.
 * Nothing here logs arguments or results: those may hold patient data.
 */
import { type LogLevel, type LogMetadata, type Logger as TemporalLogger } from '@temporalio/common';
import { type Logger } from 'pino';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** Errors become their type and message only: stacks of activity failures can quote payloads. */
function safeMeta(meta: LogMetadata | undefined): Record<string, unknown> {
  if (!meta) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message } : value;
  }
  return out;
}

export function temporalLoggerFor(logger: Logger): TemporalLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => logger[LEVELS[level]](safeMeta(meta), message);
  return {
    log: write,
    trace: (m, meta) => write('TRACE', m, meta),
    debug: (m, meta) => write('DEBUG', m, meta),
    info: (m, meta) => write('INFO', m, meta),
    warn: (m, meta) => write('WARN', m, meta),
    error: (m, meta) => write('ERROR', m, meta),
  };
}
