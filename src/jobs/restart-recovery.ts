import type { Logger } from 'pino';
import type { CanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';

/**
 * What a process starting up must put right for what the previous one could not finish:
 * runs an in-memory queue lost, and connections made with in-memory emulators that no
 * longer exist. Each is marked with a sentence the student sees, never left to fail later.
 */
export async function recoverAfterRestart(deps: {
  runs: Pick<SyncRunsRepo, 'abandonUnfinished'>;
  googleConnections: Pick<GoogleConnectionsRepo, 'markAllReconnectNeeded'>;
  canvasConnections: Pick<CanvasConnectionsRepo, 'markLoopbackReconnectNeeded'>;
  logger: Logger;
  /** The built-in emulators run in this process (they keep nothing across restarts). */
  emulators: boolean;
  /** This process runs the in-process queue's jobs (its queue lived in memory). */
  inProcessQueue: boolean;
}): Promise<void> {
  if (deps.emulators) {
    const google = await deps.googleConnections.markAllReconnectNeeded(
      'the built-in Google emulator restarted and keeps no grants; connect Google again',
    );
    const canvas = await deps.canvasConnections.markLoopbackReconnectNeeded(
      'the built-in Canvas emulator restarted with a new address and token; connect Canvas again',
    );
    if (google + canvas > 0)
      deps.logger.warn(
        { google, canvas },
        'connections made with the previous emulators marked "reconnect needed"',
      );
  }
  if (deps.inProcessQueue) {
    const abandoned = await deps.runs.abandonUnfinished(
      'CanvasCal restarted before this run finished. What it had written is kept; start a sync again (the next scheduled one will too).',
    );
    if (abandoned > 0)
      deps.logger.warn({ abandoned }, 'runs left unfinished by the previous process marked failed');
  }
}
