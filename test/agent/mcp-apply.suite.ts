import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import type { EmulatedApp } from '../support/emulated-app.ts';
import { callTool, type McpSdkClients, mcpSdkClients } from './mcp-sdk-clients.ts';

// reschedule_conflicts apply:true over the SDK client, against the whole app on its emulators
// with automatic planning on: what lands in the emulated Google is exactly the proposal.
// The demo seed is laid relative to the emulator's clock, which is the service's; every time
// below comes from what the app or the emulator holds. Run on each storage and queue backend.

export function mcpApplySuite(
  start: () => Promise<EmulatedApp>,
  cleanUp: () => Promise<void> = async () => {},
) {
  let e2e: EmulatedApp;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let mcp: McpSdkClients;
  const HOUR = 3_600_000;
  type Session = { deadlineId: string; start: string; end: string };

  const plan = async () => (await e2e.http.inject({ url: '/api/v1/plan', headers: alice })).json();

  /** The study calendar's live events, as the emulated Google holds them: deadline, start, end. */
  async function studyCalendar(): Promise<string[]> {
    const { calendarId } = await plan();
    const events = e2e.google.state.events.get(calendarId)?.values() ?? [];
    return [...events]
      .map(
        (e) => e.resource as { status: string; start?: { dateTime?: string }; end?: { dateTime?: string } },
      )
      .filter((r) => r.status !== 'cancelled')
      .map((r) => `${Date.parse(r.start?.dateTime ?? '')}|${Date.parse(r.end?.dateTime ?? '')}`)
      .sort();
  }
  const keys = (sessions: Session[]) =>
    sessions.map((s) => `${Date.parse(s.start)}|${Date.parse(s.end)}`).sort();

  /** Requests that change something in Google (inserts, patches, deletes, batches of them). */
  function googleWrites(): number {
    const { byMethod } = e2e.google.requestCounts();
    return Object.entries(byMethod)
      .filter(([method]) => /insert|patch|update|delete|batch|move/i.test(method))
      .reduce((sum, [, n]) => sum + n, 0);
  }

  beforeAll(async () => {
    e2e = await start();
    const address = await e2e.app.listen();
    if (!address) throw new Error('the app did not listen');
    mcp = mcpSdkClients(address, e2e.app.agent, 'canvascal-apply-test');
    alice = await e2e.signIn('mcp-apply-alice@example.edu');
    bob = await e2e.signIn('mcp-apply-bob@example.edu');
    await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers: alice,
      payload: { timeZone: 'America/New_York', autoPlan: true },
    });
    await e2e.connectGoogle(alice);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers: alice });
    expect((await e2e.run(alice, '/api/v1/sync/canvas')).status).toBe('succeeded');
    // The sync's repair writes the first plan; the conversation starts once it has.
    await vi.waitFor(async () => expect((await plan()).lastRepair?.outcome).toBe('written'), {
      timeout: 30_000,
      interval: 100,
    });
  }, 60_000);
  afterAll(async () => {
    await mcp?.closeAll();
    await e2e?.close();
    await cleanUp();
  });

  /** The sessions of a proposal as the tool stored it (the tool shows only the first days of it). */
  async function stored(proposalId: string): Promise<Session[]> {
    const me = (await e2e.http.inject({ url: '/api/v1/me', headers: alice })).json();
    const proposal = await e2e.app.agent.proposals.get(me.id, proposalId);
    if (!proposal) throw new Error(`proposal ${proposalId} is not stored`);
    return [...proposal.sessions];
  }
  /** Only what is well ahead: a session starting while the test runs is history to the tool. */
  const ahead = (list: string[], from: number) => list.filter((k) => Number(k.split('|')[0]) > from);
  /** Asks for a repair (it follows the student's edits first) and waits until it has run. */
  async function repairNow(): Promise<void> {
    const { jobId } = (
      await e2e.http.inject({ method: 'POST', url: '/api/v1/plan/replan', headers: alice })
    ).json();
    await vi.waitFor(async () => expect((await e2e.app.queue.getJob(jobId))?.state).toBe('completed'), {
      timeout: 30_000,
      interval: 100,
    });
  }

  /**
   * In Google, the student moves the first upcoming session half an hour later and deletes the
   * last one; answers what they were and where the moved one went.
   */
  function studentEdits(calendarId: string, upcoming: Array<Session & { eventId: string }>) {
    const [moved] = upcoming;
    const deleted = upcoming[upcoming.length - 1];
    if (!moved || !deleted) throw new Error('no sessions to edit');
    const to = {
      deadlineId: moved.deadlineId,
      start: new Date(Date.parse(moved.start) + HOUR / 2).toISOString(),
      end: new Date(Date.parse(moved.end) + HOUR / 2).toISOString(),
    };
    e2e.google.userPatchEvent(calendarId, moved.eventId, {
      start: { dateTime: to.start },
      end: { dateTime: to.end },
    });
    e2e.google.userDeleteEvent(calendarId, deleted.eventId);
    return { moved, deleted, to };
  }

  describe('reschedule_conflicts apply', () => {
    it('check → dry run → apply writes exactly the proposal; a stale proposal writes nothing; another user cannot apply it', async () => {
      const client = await mcp.clientFor(alice);
      const horizon = Date.now() + HOUR;
      const shown = mcp.structured(await callTool(client, 'get_study_plan'), 'get_study_plan');
      expect(shown.sessions.length).toBeGreaterThan(1);
      const victim: Session = shown.sessions.find((s: Session) => Date.parse(s.start) > horizon);
      const around = {
        from: new Date(Date.parse(victim.start) - HOUR).toISOString(),
        to: new Date(Date.parse(victim.end) + HOUR).toISOString(),
      };
      const covers = (ranges: Array<{ start: string; end: string }>) =>
        ranges.some(
          (r) =>
            Date.parse(r.start) <= Date.parse(victim.start) && Date.parse(r.end) >= Date.parse(victim.end),
        );
      const before = mcp.structured(
        await callTool(client, 'check_availability', around),
        'check_availability',
      );
      expect(covers(before.busy)).toBe(false);

      // Dry run, then apply: the study calendar holds exactly the proposal.
      const dry = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { proposalId: shown.planId }),
        'reschedule_conflicts',
      );
      expect(dry.applied).toBe(false);
      const p0 = await stored(dry.proposalId);
      const applied = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: dry.proposalId }),
        'reschedule_conflicts',
      );
      expect(applied.applied).toBe(true);
      expect(applied.proposalId).toBe(dry.proposalId);
      expect(ahead(await studyCalendar(), horizon)).toEqual(ahead(keys(p0), horizon));
      // Idempotent: applying it again finds the calendar already matching and writes nothing.
      const writesAfterApply = googleWrites();
      const twice = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: dry.proposalId }),
        'reschedule_conflicts',
      );
      expect(twice.applied).toBe(true);
      expect(twice.written).toMatchObject({ moved: 0, added: 0, removed: 0 });
      expect(googleWrites()).toBe(writesAfterApply);

      // A meeting lands on a session in Google after the proposal: applying it again writes nothing
      // and answers with a fresh proposal, saying why.
      const meeting = e2e.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
        summary: 'Meeting moved onto study time',
        start: { dateTime: victim.start },
        end: { dateTime: victim.end },
      });
      const after = mcp.structured(
        await callTool(client, 'check_availability', around),
        'check_availability',
      );
      expect(covers(after.busy)).toBe(true);
      const onCalendar = await studyCalendar();
      const writesBefore = googleWrites();
      const stale = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: dry.proposalId }),
        'reschedule_conflicts',
      );
      expect(stale.applied).toBe(false);
      expect(stale.proposalId).not.toBe(dry.proposalId);
      expect(stale.notes[0]).toMatch(/no longer fits/);
      expect(keys(stale.moves.remove)).toContain(keys([victim])[0]);
      expect(googleWrites()).toBe(writesBefore);
      expect(await studyCalendar()).toEqual(onCalendar);

      // Another student cannot apply it.
      const other = await callTool(await mcp.clientFor(bob), 'reschedule_conflicts', {
        apply: true,
        proposalId: stale.proposalId,
      });
      expect(other.isError).toBe(true);
      expect(JSON.stringify(other.content)).toMatch(/No plan or proposal/);
      expect(googleWrites()).toBe(writesBefore);

      // The fresh proposal applies, and the meeting's slot is free of study sessions.
      const p1 = await stored(stale.proposalId);
      expect(keys(p1)).not.toContain(keys([victim])[0]);
      const fixed = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: stale.proposalId }),
        'reschedule_conflicts',
      );
      expect(fixed.applied).toBe(true);
      expect(googleWrites()).toBeGreaterThan(writesBefore);
      expect(ahead(await studyCalendar(), horizon)).toEqual(ahead(keys(p1), horizon));
      expect(await studyCalendar()).not.toContain(keys([victim])[0]);
      e2e.google.userDeleteEvent(DEMO_STUDENT_EMAIL, meeting);
    });
    it('a session the student moved and one they deleted in Google since the dry run: apply answers a fresh proposal from the calendar and writes nothing', async () => {
      const client = await mcp.clientFor(alice);
      await repairNow();
      const horizon = Date.now() + HOUR;
      const before = await plan();
      const upcoming = before.sessions.filter((s: Session) => Date.parse(s.start) > horizon);
      expect(upcoming.length).toBeGreaterThan(2);

      // The dry run checks the sessions on the study calendar: each is kept or moved.
      const dry = mcp.structured(await callTool(client, 'reschedule_conflicts'), 'reschedule_conflicts');
      expect(dry.checked).toBe('calendar');
      expect(dry.basedOn).toBeNull();
      expect(dry.applied).toBe(false);
      const future = (await plan()).sessions.filter((s: Session) => Date.parse(s.start) >= Date.now());
      expect(dry.keptCount + dry.moves.remove.length).toBe(future.length);

      // The student moves one session by half an hour and deletes another, in Google.
      const { moved, deleted, to } = studentEdits(before.calendarId, upcoming);
      // The follow reads both (in a repair, which then re-plans around them and writes that).
      await repairNow();
      const after = await plan();
      expect(after.pinned.map((s: { eventId: string }) => s.eventId)).toContain(moved.eventId);
      expect(after.dropped.map((s: { eventId: string }) => s.eventId)).toContain(deleted.eventId);

      const writesBefore = googleWrites();
      const onCalendar = await studyCalendar();
      const stale = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: dry.proposalId }),
        'reschedule_conflicts',
      );
      expect(stale.applied).toBe(false);
      expect(stale.checked).toBe('calendar');
      expect(stale.proposalId).not.toBe(dry.proposalId);
      expect(stale.notes[0]).toMatch(/no longer fits \([^)]*the sessions on the study calendar/);
      expect(googleWrites()).toBe(writesBefore);
      expect(await studyCalendar()).toEqual(onCalendar);
      // The fresh proposal keeps the moved session where the student put it and plans nothing
      // in the deleted one's time.
      const fresh = await stored(stale.proposalId);
      expect(keys(fresh)).toContain(keys([to])[0]);
      expect(keys(fresh)).not.toContain(keys([deleted])[0]);
    });
    it('a session the student deleted and one they moved a moment before apply, not yet followed: the writer finds them, writes nothing, and a fresh proposal comes back', async () => {
      const client = await mcp.clientFor(alice);
      await repairNow();
      const horizon = Date.now() + HOUR;
      const before = await plan();
      const upcoming = before.sessions.filter((s: Session) => Date.parse(s.start) > horizon);
      expect(upcoming.length).toBeGreaterThan(2);
      const dry = mcp.structured(await callTool(client, 'reschedule_conflicts'), 'reschedule_conflicts');
      expect(dry.checked).toBe('calendar');

      // The edits land in Google; their push waits out its 30-second window, so when apply
      // checks the proposal the stored sessions still match it: only the writer's own follow
      // can see them.
      const { moved, deleted, to } = studentEdits(before.calendarId, upcoming);
      const writesBefore = googleWrites();
      const onCalendar = await studyCalendar();

      const answer = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: dry.proposalId }),
        'reschedule_conflicts',
      );
      expect(answer.applied).toBe(false);
      expect(answer.checked).toBe('calendar');
      expect(answer.proposalId).not.toBe(dry.proposalId);
      expect(answer.notes[0]).toMatch(
        /just moved 1 and deleted 1 study session\(s\) in Google, so the proposal was not written/,
      );
      // Nothing was written: the deleted session is not back, the moved one has no twin.
      expect(googleWrites()).toBe(writesBefore);
      expect(await studyCalendar()).toEqual(onCalendar);
      expect(onCalendar).toContain(keys([to])[0]);
      expect(onCalendar).not.toContain(keys([moved])[0]);
      expect(onCalendar).not.toContain(keys([deleted])[0]);
      // The writer's follow stored the edits, and the fresh proposal starts from them.
      const after = await plan();
      expect(after.pinned.map((s: { eventId: string }) => s.eventId)).toContain(moved.eventId);
      expect(after.dropped.map((s: { eventId: string }) => s.eventId)).toContain(deleted.eventId);
      const fresh = await stored(answer.proposalId);
      expect(keys(fresh)).toContain(keys([to])[0]);
      expect(keys(fresh)).not.toContain(keys([deleted])[0]);

      // Applied now, the fresh proposal goes through.
      const applied = mcp.structured(
        await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: answer.proposalId }),
        'reschedule_conflicts',
      );
      expect(applied.applied).toBe(true);
      expect(await studyCalendar()).not.toContain(keys([deleted])[0]);
    });
  });
}
