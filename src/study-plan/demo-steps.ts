import type { GoogleEmulatorControl } from '../../emulators/google/emulator-control.ts';

interface PlanView {
  sessions: Array<{ deadlineId: string; start: string; end: string; eventId: string }>;
  shortfalls: Array<{ title: string; message: string }>;
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

  const victim = planned.sessions[0];
  if (!victim) return;
  step(
    'A meeting lands on the first session in Google; the repair moves only what it now overlaps (15 min buffer included)',
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
