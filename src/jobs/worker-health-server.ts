import { createServer, type Server } from 'node:http';
import type { Metrics } from '../metrics.ts';

/** A dependency `/readyz` checks: resolves when reachable, rejects (or times out) when not. */
export interface WorkerReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * A worker process's own small HTTP server (`WORKER_PORT`): `/healthz` (the process
 * answers), `/readyz` (its database and queue answer within 2 s each; 503 naming what does
 * not) and `/metrics` (Prometheus text: jobs, job durations, Google and Canvas calls).
 * The same shapes as the API's probes, so one probe configuration fits both.
 */
export async function startWorkerHealthServer(options: {
  host: string;
  port: number;
  checks: WorkerReadinessCheck[];
  metrics: Pick<Metrics, 'registry'>;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: string, type = 'application/json; charset=utf-8') => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    const path = new URL(request.url ?? '/', 'http://worker.local').pathname;
    if (request.method !== 'GET')
      return send(405, JSON.stringify({ error: { code: 'method_not_allowed', message: 'GET only' } }));
    if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      void readiness(options.checks).then(({ ready, checks, failed }) =>
        send(
          ready ? 200 : 503,
          JSON.stringify(
            ready
              ? { status: 'ready', checks }
              : {
                  status: 'not_ready',
                  checks,
                  error: { code: 'not_ready', message: `Not reachable: ${failed.join(', ')}` },
                },
          ),
        ),
      );
      return;
    }
    if (path === '/metrics') {
      void options.metrics.registry
        .metrics()
        .then((text) => send(200, text, options.metrics.registry.contentType))
        .catch(() => send(500, JSON.stringify({ error: { code: 'internal', message: 'metrics failed' } })));
      return;
    }
    send(
      404,
      JSON.stringify({ error: { code: 'not_found', message: 'Only /healthz, /readyz and /metrics here.' } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readiness(checks: WorkerReadinessCheck[]) {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        check().then(
          () => 'ok',
          () => 'unreachable',
        ),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
      return [name, outcome] as const;
    }),
  );
  return {
    ready: results.every(([, outcome]) => outcome === 'ok'),
    checks: Object.fromEntries(results),
    failed: results.filter(([, outcome]) => outcome !== 'ok').map(([name]) => name),
  };
}
