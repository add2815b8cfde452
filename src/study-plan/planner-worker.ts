import { parentPort } from 'node:worker_threads';
import type { SolveJob, SolveOutcome } from './solve-plan.ts';

/** A message from the pool: plan this. */
export interface JobMessage {
  readonly id: number;
  readonly job: SolveJob;
}

/** A message to the pool: loaded, or the answer to one job. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly id: number; readonly outcome: SolveOutcome }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string };

/**
 * The body of a planner worker thread: answers each job in turn, then says it is ready.
 * A solver that throws is a bug: the pool hears `failed` and the thread keeps serving.
 */
export function serveJobs(solve: (job: SolveJob) => SolveOutcome): void {
  const port = parentPort;
  if (!port) throw new Error('serveJobs runs inside a worker thread');
  port.on('message', (message: JobMessage) => {
    let answer: WorkerMessage;
    try {
      answer = { kind: 'done', id: message.id, outcome: solve(message.job) };
    } catch (error) {
      answer = {
        kind: 'failed',
        id: message.id,
        message: error instanceof Error ? error.message : String(error),
      };
    }
    port.postMessage(answer);
  });
  port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
}
