/**
 * The worker's Prometheus endpoint, GET /metrics on WORKER_METRICS_HOST:WORKER_METRICS_PORT: the
 * Temporal SDK's runtime metrics (task slots, pollers, schedule-to-start latency, sticky cache…,
 * served by the SDK's Core on a loopback port of its own and passed through) followed by
 * ClinicFlow's business metrics and the process's (prom-client). One scrape target per worker.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { type Registry } from 'prom-client';

/** A loopback port free right now, for the SDK's own exporter (which cannot report one it picked). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** The SDK's Prometheus endpoint (http://127.0.0.1:<port>/metrics). */
  sdkMetricsUrl: string;
}

async function sdkMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : '';
  } catch {
    // The scrape still returns the business metrics; a missing SDK part shows as absent series.
    return '';
  }
}

/** Resolves with the listening server, or null when the port is taken (another worker on this host): metrics never stop a worker. */
export function startMetricsServer({ host, port, registry, sdkMetricsUrl }: MetricsServerOptions): Promise<Server | null> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void Promise.all([sdkMetrics(sdkMetricsUrl), registry.metrics()]).then(([sdk, own]) => {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(`${sdk.trimEnd()}\n${own}`);
    }, () => res.writeHead(500).end());
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    server.listen(port, host, () => resolve(server));
  });
}
