import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics, on a registry of its own (no global state between apps or tests). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly jobs: Counter<'name' | 'outcome'>;
  readonly jobDuration: Histogram<'name' | 'outcome'>;
  readonly googleCalls: Counter<'method' | 'outcome'>;
  readonly canvasCalls: Counter<'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'canvascal_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'canvascal_http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'canvascal_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'canvascal_jobs_total',
      help: 'Background jobs finished, by job name and outcome (completed, failed, retried)',
      labelNames: ['name', 'outcome'],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'canvascal_job_duration_seconds',
      help: 'How long each try of a background job took, by job name and outcome (completed, failed, retried)',
      labelNames: ['name', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    googleCalls: new Counter({
      name: 'canvascal_google_calls_total',
      help: 'Google API calls made (batch parts counted individually)',
      labelNames: ['method', 'outcome'],
      registers: [registry],
    }),
    canvasCalls: new Counter({
      name: 'canvascal_canvas_calls_total',
      help: 'Canvas API requests made',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
