import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request, Router } from 'express';
import { type ApiDeps } from '../deps';
import { ApiError } from '../http/api-error';
import { sendError } from '../middleware/errors';

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer METRICS_TOKEN, compared in constant time (digests: equal lengths whatever was sent). */
function hasMetricsToken(req: Request, token: string): boolean {
  const [scheme, given] = (req.header('authorization') ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && !!given && timingSafeEqual(digest(given), digest(token));
}

/**
 * /healthz: the process is alive. /readyz: PostgreSQL and Temporal answer. /metrics: Prometheus,
 * only for a scraper with METRICS_TOKEN (route names, volumes and latencies are not for the
 * public); without the setting it is not served at all.
 */
export function healthRoutes({ config, prisma, temporal, metrics }: ApiDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    const [database, temporalServer] = await Promise.allSettled([
      withTimeout(prisma.$queryRaw`SELECT 1`, 2000),
      withTimeout(temporal.connection.workflowService.getSystemInfo({}), 2000),
    ]);
    const checks = { database: database.status === 'fulfilled' ? 'up' : 'down', temporal: temporalServer.status === 'fulfilled' ? 'up' : 'down' };
    if (checks.database === 'up' && checks.temporal === 'up') {
      res.json({ status: 'ready', checks });
      return;
    }
    sendError(req, res, new ApiError(503, 'NOT_READY', 'A dependency is not reachable', checks));
  });
  const metricsToken = config.METRICS_TOKEN;
  if (metricsToken) {
    router.get('/metrics', async (req, res) => {
      if (!hasMetricsToken(req, metricsToken)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        sendError(req, res, ApiError.unauthorized('METRICS_TOKEN_REQUIRED', 'Send the metrics token as a bearer token'));
        return;
      }
      res.type(metrics.contentType).send(await metrics.metrics());
    });
  }
  return router;
}
