import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { PresentedRun, SyncKind } from '../../sync/sync-runs-service.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { defineTool } from '../agent-tool.ts';

/** The longest sync_now waits for its runs before answering with their ids. */
export const SYNC_MAX_WAIT_SECONDS = 25;

const RunSchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  counts: z.record(z.string(), z.number()),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  notes: z.array(z.string()),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

const brief = (run: PresentedRun): z.infer<typeof RunSchema> => ({
  id: run.id,
  kind: run.kind,
  status: run.status,
  counts: run.counts,
  error: run.error,
  notes: run.notes,
  createdAt: run.createdAt,
  finishedAt: run.finishedAt,
});

const syncNowInput = z.strictObject({
  what: z
    .enum(['both', 'canvas', 'calendars'])
    .default('both')
    .describe(
      '"canvas": Canvas deadlines onto the CanvasCal calendar; "calendars": re-read the followed Google calendars; "both" (default).',
    ),
  waitSeconds: z
    .number()
    .int()
    .min(0)
    .max(SYNC_MAX_WAIT_SECONDS)
    .default(10)
    .describe(
      `How long to wait for the runs to finish, 0 to ${SYNC_MAX_WAIT_SECONDS} s (default 10), e.g. 0 to return at once.`,
    ),
});

const syncNowOutput = z.object({
  runs: z.array(
    z.object({
      kind: z.enum(['canvas', 'calendars']),
      runId: z.string().nullable(),
      joined: z.boolean().describe('True when a run already queued was joined instead of starting another'),
      run: RunSchema.nullable(),
      refused: z.string().nullable().describe('Why this kind could not start, and what to do'),
    }),
  ),
  finished: z.boolean().describe('Every started run finished within the wait'),
});

export function syncNowTool(deps: Pick<AgentDeps, 'sync' | 'sleep' | 'now'>) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return defineTool({
    name: 'sync_now',
    title: 'Sync now',
    description: `Starts a Canvas → Google sync (deadlines onto the calendar CanvasCal created for itself: adds, updates and removes only its own events) and a re-read of the followed Google calendars, and waits up to waitSeconds (at most ${SYNC_MAX_WAIT_SECONDS}) for them. Returns the run ids; sync_status shows them later. A run already queued is joined, not started twice. Example question: "I just got a new assignment in Canvas, update my calendar." → {}.`,
    input: syncNowInput,
    output: syncNowOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    async run(userId, args) {
      const kinds: SyncKind[] = args.what === 'both' ? ['canvas', 'calendars'] : [args.what];
      const started = await Promise.all(
        kinds.map(async (kind) => {
          try {
            const { runId, joined } = await deps.sync.start(userId, kind);
            return { kind, runId, joined, refused: null };
          } catch (error) {
            if (!(error instanceof AppError) || error.status >= 500) throw error;
            return { kind, runId: null, joined: false, refused: error.message };
          }
        }),
      );
      if (started.every((s) => s.refused !== null))
        throw new AppError('sync_refused', started.map((s) => `${s.kind}: ${s.refused}`).join(' '), 409);
      const deadline = deps.now().getTime() + args.waitSeconds * 1000;
      const look = () =>
        Promise.all(
          started.map(async (s) => (s.runId ? ((await deps.sync.run(userId, s.runId)) ?? null) : null)),
        );
      let runs = await look();
      const done = () => runs.every((r) => r === null || r.status === 'succeeded' || r.status === 'failed');
      while (!done() && deps.now().getTime() < deadline) {
        await sleep(250);
        runs = await look();
      }
      const data = {
        runs: started.map((s, i) => {
          const run = runs[i];
          return { ...s, run: run ? brief(run) : null };
        }),
        finished: done(),
      };
      const summary = data.runs
        .map((r) =>
          r.refused
            ? `${r.kind}: not started: ${r.refused}`
            : `${r.kind}: run ${r.runId} ${r.run?.status ?? 'queued'}${r.run?.error ? ` (${r.run.error.message})` : ''}`,
        )
        .join('; ')
        .concat(data.finished ? '.' : '. Still running: ask sync_status later.');
      return { summary, data };
    },
  });
}

const statusOutput = z.object({
  google: z.object({ status: z.string(), message: z.string().optional() }),
  canvas: z.object({
    status: z.string(),
    baseUrl: z.string().optional(),
    tokenExpiresAt: z.string().nullable().optional(),
    message: z.string().optional(),
  }),
  syncErrorCount: z.number(),
  lastRun: RunSchema.nullable(),
  recentRuns: z.array(RunSchema),
  userEdits: z
    .array(z.object({ sourceKey: z.string(), title: z.string(), edit: z.enum(['moved', 'deleted']) }))
    .describe(
      "CanvasCal events the student moved or deleted in Google: CanvasCal obeys, it doesn't fight them",
    ),
  undated: z.array(z.object({ sourceKey: z.string(), title: z.string(), courseName: z.string().nullable() })),
});

export function syncStatusTool(deps: Pick<AgentDeps, 'sync'>) {
  return defineTool({
    name: 'sync_status',
    title: 'Sync status',
    description:
      'Whether Google and Canvas are connected (and what to do if not), the last Canvas syncs with what they changed or why they failed, CanvasCal events the student edited in Google, and Canvas items without a due date. Example question: "Is my calendar up to date with Canvas?" → {}.',
    input: z.strictObject({}),
    output: statusOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(userId) {
      const status = await deps.sync.status(userId);
      const data = {
        google: status.google,
        canvas: status.canvas,
        syncErrorCount: status.syncErrorCount,
        lastRun: status.lastRun ? brief(status.lastRun) : null,
        recentRuns: status.recentRuns.map(brief),
        userEdits: status.userEdits,
        undated: status.undated.map((u) => ({
          sourceKey: u.sourceKey,
          title: u.title,
          courseName: u.courseName,
        })),
      };
      const last = data.lastRun;
      const summary = [
        `Google: ${data.google.status}${data.google.message ? ` (${data.google.message})` : ''}.`,
        `Canvas: ${data.canvas.status}${data.canvas.message ? ` (${data.canvas.message})` : ''}.`,
        last
          ? `Last Canvas sync ${last.status} (${last.finishedAt ?? last.createdAt})${last.error ? `: ${last.error.message}` : ''}.`
          : 'No Canvas sync yet.',
      ].join(' ');
      return { summary, data };
    },
  });
}
