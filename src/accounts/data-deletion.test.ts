import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createDataDeletion } from './data-deletion.ts';

// The Canvas step of "delete my data" (the whole flow is tested over HTTP on the emulators in
// test/e2e/delete-my-data.test.ts and canvas-oauth.test.ts; the emulator cannot fail Canvas's
// logout endpoint, so an unreachable Canvas is tried here).

function world(canvas: { disconnect(userId: string): Promise<void> }) {
  const deleted: string[] = [];
  const warnings: string[] = [];
  const remove = createDataDeletion({
    users: {
      delete: async (userId: string) => {
        deleted.push(userId);
        return true;
      },
    },
    canvas,
    logger: { warn: ((_fields: unknown, message?: string) => void warnings.push(String(message))) as never },
  });
  return { remove, deleted, warnings };
}

describe('deleting a student’s data: Canvas', () => {
  it('logs the Canvas token out, then deletes the rows', async () => {
    const order: string[] = [];
    const { remove, deleted } = world({ disconnect: async (u) => void order.push(`canvas ${u}`) });
    const outcome = await remove('u1', { removeCalendars: false });
    expect(order).toEqual(['canvas u1']);
    expect(deleted).toEqual(['u1']);
    expect(outcome.notes).toEqual([]);
  });

  it('with Canvas unreachable still deletes the rows, and says how to remove CanvasCal in Canvas', async () => {
    const { remove, deleted, warnings } = world({
      disconnect: async () => {
        throw new AppError(
          'canvas_unavailable',
          'Canvas could not be reached to log CanvasCal out; try again.',
          502,
        );
      },
    });
    const outcome = await remove('u2', { removeCalendars: false });
    expect(deleted).toEqual(['u2']);
    expect(outcome.notes).toEqual([
      'CanvasCal could not log out of Canvas: in Canvas, open Account, Settings, and delete CanvasCal under "Approved Integrations".',
    ]);
    expect(warnings).toEqual(['could not log out of Canvas while deleting data']);
  });
});
