import type { GoogleEmulatorControl } from '../../emulators/google/emulator-control.ts';

interface PlanView {
  sessions: Array<{ deadlineId: string; start: string; end: string; eventId: string }>;
  shortfalls: Array<{ deadlineId: string; title: string; message: string }>;
  lastRepair: {
    added: number;
    moved: number;
    removed: number;
    googleCalls: number;
    batches: number;
  } | null;
}

interface DemoIo {
  /** The API as the student calls it; answers the JSON body. */
  call(method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<unknown>;
  step(text: string): void;
  print(line: string): void;
  google: GoogleEmulatorControl;
  studentEmail: string;
}

/**
 * A session a meeting can land on and the repair can still move: one not yet begun (nor
 * about to), of the deadline due last among those the plan covered in full, so the most
 * free time lies before it. The first session is usually for the deadline due soonest,
 * where on a busy day there is no other gap and the repair can only drop it.
 */
export function movableSession<S extends { deadlineId: string; start: string }>(
  plan: { sessions: S[]; shortfalls: Array<{ deadlineId: string }> },
  deadlines: Array<{ sourceKey: string; dueAt: string }>,
  now: number,
): S | undefined {
  const short = new Set(plan.shortfalls.map((s) => s.deadlineId));
  const due = new Map(deadlines.map((d) => [d.sourceKey, Date.parse(d.dueAt)]));
  const candidates = plan.sessions.filter(
    (s) => Date.parse(s.start) > now + 10 * 60_000 && !short.has(s.deadlineId) && due.has(s.deadlineId),
  );
  const dueOf = (s: S) => due.get(s.deadlineId) ?? 0;
  return candidates.sort((a, b) => dueOf(b) - dueOf(a) || Date.parse(a.start) - Date.parse(b.start))[0];
}

/**
 * The study plan in `canvascal demo`: planning turned on writes the plan, a meeting added
 * in the emulated Google moves the one session it lands on, with the calls each step took.
 */
export async function showStudyPlan(io: DemoIo): Promise<void> {
  const { call, step, print } = io;
  const getPlan = async () => (await call('GET', '/api/v1/plan')) as PlanView;
  const repaired = async (previous: unknown) => {
    const until = Date.now() + 60_000;
    for (;;) {
      const plan = await getPlan();
      if (plan.lastRepair && JSON.stringify(plan.lastRepair) !== JSON.stringify(previous)) return plan;
      if (Date.now() > until) throw new Error('the study plan was not repaired within a minute');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const report = (plan: PlanView) => {
    const r = plan.lastRepair;
    if (!r) return;
    print(
      `  ${r.added} added, ${r.moved} moved, ${r.removed} removed; Google HTTP requests: ${r.googleCalls} (batches: ${r.batches})`,
    );
    for (const s of plan.shortfalls.slice(0, 3)) print(`  short: ${s.title}: ${s.message}`);
  };

  step('Turn study planning on (autoPlan): sessions go onto the "CanvasCal Study" calendar');
  const before = (await getPlan()).lastRepair;
  const settings = (await call('GET', '/api/v1/settings/planner')) as Record<string, unknown>;
  await call('PUT', '/api/v1/settings/planner', { ...settings, autoPlan: true });
  const planned = await repaired(before);
  report(planned);
  for (const s of planned.sessions.slice(0, 3)) print(`    + study ${s.deadlineId}: ${s.start} → ${s.end}`);

  const { deadlines } = (await call(
    'GET',
    `/api/v1/deadlines?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 364 * 86_400_000).toISOString()}`,
  )) as { deadlines: Array<{ sourceKey: string; dueAt: string }> };
  const victim = movableSession(planned, deadlines, Date.now());
  if (!victim) return;
  step(
    'A meeting lands on a session with room before its deadline; the repair moves only what it now overlaps (15 min buffer included)',
  );
  // A Google account's primary calendar has the account's address as its id.
  io.google.userInsertEvent(io.studentEmail, {
    summary: 'Meeting',
    start: { dateTime: victim.start },
    end: { dateTime: victim.end },
  });
  await call('POST', '/api/v1/plan/replan');
  const moved = await repaired(planned.lastRepair);
  report(moved);
  const now = moved.sessions.find((s) => s.eventId === victim.eventId);
  if (now) print(`    ~ study ${victim.deadlineId}: ${victim.start} → ${now.start}`);
}
