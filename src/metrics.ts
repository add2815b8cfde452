import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What /metrics reports of the push channels, read from the database at each scrape. */
export type ChannelCensusSource = () => Promise<{
  live: number;
  stopped: number;
  expired: number;
  earliestLive: Date | null;
}>;

/** The service's Prometheus metrics, on a registry of its own (no global state between apps or tests). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly jobs: Counter<'name' | 'outcome'>;
  readonly jobDuration: Histogram<'name' | 'outcome'>;
  readonly googleCalls: Counter<'method' | 'outcome'>;
  readonly canvasCalls: Counter<'outcome'>;
  /** Google push notifications received, by outcome (change, sync, unknown, forged, ...). */
  readonly pushNotifications: Counter<'outcome'>;
  /** Notifications that joined a delta sync already pending (the debounce at work). */
  readonly pushDebounced: Counter;
  /** Delta syncs actually run because of notifications. */
  readonly pushSyncs: Counter;
  /** Where the channel gauges read from; set once the database is open. */
  channelCensus: ChannelCensusSource | undefined;
  /** Google requests that waited for the quota budget: held in place, or their job delayed. */
  readonly googleQuotaWaits: Counter<'where'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'canvascal_' });
  const metrics: Metrics = {
    channelCensus: undefined,
    googleQuotaWaits: new Counter({
      name: 'canvascal_google_quota_waits_total',
      help: "Google requests that waited for Google's quota: `inline` (held up to 2 s) or `job` (the job was delayed)",
      labelNames: ['where'],
      registers: [registry],
    }),
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
    pushNotifications: new Counter({
      name: 'canvascal_push_notifications_total',
      help: 'Google push notifications received, by outcome (change, sync, stopped, expired, unknown, forged, wrong_resource)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    pushDebounced: new Counter({
      name: 'canvascal_push_debounced_total',
      help: 'Push notifications that joined a delta sync already pending in its 30-second window',
      registers: [registry],
    }),
    pushSyncs: new Counter({
      name: 'canvascal_push_syncs_total',
      help: 'Delta syncs of a calendar started by push notifications',
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'canvascal_push_channels',
    help: 'Push channels recorded, by state (live, stopped, expired)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const census = await metrics.channelCensus?.();
      if (!census) return;
      for (const state of ['live', 'stopped', 'expired'] as const) this.set({ state }, census[state]);
    },
  });
  new Gauge({
    name: 'canvascal_push_channel_earliest_expiration_seconds',
    help: 'When the first live push channel expires (Unix time); absent with no live channel',
    registers: [registry],
    async collect() {
      const census = await metrics.channelCensus?.();
      if (census?.earliestLive) this.set(census.earliestLive.getTime() / 1000);
      else this.reset();
    },
  });
  return metrics;
}
