/**
 * One simulated clock for Google's emulator and a request budget, so minutes of quota pass in
 * no time. A sleep moves the clock to when it ends, but only once no request is on its way: in
 * real time a request reaches Google moments after leaving, not a simulated minute later.
 * Requests count as on their way when sent through `fetch`.
 */
export function simulatedClock(start: number) {
  let clock = start;
  let inFlight = 0;
  let settled: Array<() => void> = [];
  const tracked: typeof fetch = async (input, init) => {
    inFlight += 1;
    try {
      const response = await fetch(input, init);
      const text = await response.text();
      return new Response(text, { status: response.status, headers: response.headers });
    } finally {
      inFlight -= 1;
      const waiting = settled;
      settled = [];
      for (const resolve of waiting) resolve();
    }
  };
  return {
    now: () => clock,
    async sleep(ms: number) {
      const wakeAt = clock + ms;
      // A request granted a moment ago is still on its way to `fetch`: let it leave first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (inFlight > 0) await new Promise<void>((resolve) => settled.push(resolve));
      clock = Math.max(clock, wakeAt);
    },
    fetch: tracked,
  };
}

export type SimulatedClock = ReturnType<typeof simulatedClock>;
