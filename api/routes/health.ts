import { Router } from 'express';
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

/** /healthz: the process is alive. /readyz: PostgreSQL and Temporal answer. /metrics: Prometheus. */
export function healthRoutes({ prisma, temporal, metrics }: ApiDeps): Router {
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
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  return router;
}
