/**
 * Refuses requests beyond `maxInFlight` at once with 503 and Retry-After, before they queue for a
 * database connection: past capacity, a quick refusal the client can retry beats every request
 * timing out. Health and readiness probes are never refused (they say whether the process lives).
 */
import { type RequestHandler } from 'express';
import { ApiError } from '../http/api-error';
import { sendError } from './errors';

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

export function loadShedding(maxInFlight: number): RequestHandler {
  let inFlight = 0;
  return (req, res, next) => {
    if (PROBES.has(req.path)) return next();
    if (inFlight >= maxInFlight) return sendError(req, res, ApiError.unavailable('OVERLOADED', 'The service is at capacity; try again shortly', 1));
    inFlight++;
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}
