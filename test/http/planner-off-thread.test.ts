import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { largestPlanBody } from '../../src/study-plan/testing/largest-plan.ts';
import { startTestApp } from '../support/test-app.ts';

// Issue 13: four 5,000-deadline previews held the event loop for 18.6 s and /healthz waited.
// Now the largest allowed plans run on the planner's threads: /healthz answers while they run,
// and the request thread's longest stall is a small fraction of one plan (counts and ratios,
// no wall-clock threshold, so it holds on a loaded machine).

const PLANS = 3;

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({ PLANNER_WORKERS: '2' }));
});
afterAll(() => close());

describe('planning off the request thread', () => {
  it('answers /healthz while several of the largest allowed plans run', async () => {
    const http = app.http;
    if (!http) throw new Error('the api role serves http');
    // One student each: a student may have only two plans in the planner at once.
    const students = await Promise.all(
      Array.from({ length: PLANS }, async (_, n) => {
        const login = await http.inject({
          method: 'POST',
          url: '/api/v1/auth/local/login',
          payload: { email: `heavy${n}@example.edu` },
        });
        return { authorization: `Bearer ${login.json().accessToken}` };
      }),
    );
    const body = largestPlanBody();

    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    let finished = 0;
    const plans = students.map((headers) =>
      http.inject({ method: 'POST', url: '/api/v1/planner/preview', headers, payload: body }).then((res) => {
        finished += 1;
        return res;
      }),
    );
    let healthzWhilePlanning = 0;
    while (finished < PLANS) {
      const health = await http.inject({ url: '/healthz' });
      expect(health.statusCode).toBe(200);
      if (finished === 0) healthzWhilePlanning += 1;
      // Pace the probe so it does not compete with the planner threads for the two cores.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const results = await Promise.all(plans);
    const planningMs = performance.now() - started;
    delay.disable();

    for (const res of results) {
      expect(res.statusCode).toBe(200);
      expect(res.json().deadlines).toHaveLength(body.deadlines.length);
    }
    // Before any plan was done, /healthz had answered again and again.
    expect(healthzWhilePlanning).toBeGreaterThanOrEqual(10);
    // The longest the request thread was held is a small part of the time the plans took.
    const longestStallMs = delay.max / 1e6;
    expect(longestStallMs).toBeLessThan(planningMs / 10);
  }, 180_000);
});
