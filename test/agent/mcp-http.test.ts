import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { callTool, type McpSdkClients, mcpSdkClients } from './mcp-sdk-clients.ts';

// The MCP endpoint driven by the SDK's own client over Streamable HTTP, against the whole app
// on its emulators. Every time below comes from what the app or the seeded calendars hold.

let e2e: EmulatedApp;
let base: string;
let alice: Record<string, string>;
let bob: Record<string, string>;
let mcp: McpSdkClients;
const HOUR = 3_600_000;

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  const [text] = result.content;
  return text?.type === 'text' ? text.text : '';
}

beforeAll(async () => {
  e2e = await startEmulatedApp({ PORT: '0' });
  const address = await e2e.app.listen();
  if (!address) throw new Error('the app did not listen');
  base = address;
  mcp = mcpSdkClients(base, e2e.app.agent, 'canvascal-test');
  alice = await e2e.signIn('mcp-alice@example.edu');
  bob = await e2e.signIn('mcp-bob@example.edu');
  await e2e.http.inject({
    method: 'PUT',
    url: '/api/v1/settings/planner',
    headers: alice,
    payload: { timeZone: 'America/New_York' },
  });
  await e2e.connectGoogle(alice);
  await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers: alice });
  expect((await e2e.run(alice, '/api/v1/sync/canvas')).status).toBe('succeeded');
}, 60_000);
afterAll(async () => {
  await mcp?.closeAll();
  await e2e.close();
});

describe('MCP over Streamable HTTP', () => {
  it('lists the six tools with input and output schemas and annotations', async () => {
    const { tools } = await (await mcp.clientFor(alice)).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'check_availability',
      'get_study_plan',
      'list_deadlines',
      'reschedule_conflicts',
      'sync_now',
      'sync_status',
    ]);
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(80);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(typeof tool.annotations?.readOnlyHint).toBe('boolean');
      expect(typeof tool.annotations?.destructiveHint).toBe('boolean');
      expect(typeof tool.annotations?.idempotentHint).toBe('boolean');
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('check_availability')?.inputSchema.required).toEqual(['from', 'to']);
    expect(byName.get('sync_now')?.annotations?.readOnlyHint).toBe(false);
    // apply:true moves and deletes study events on the student's calendar.
    expect(byName.get('reschedule_conflicts')?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(byName.get('reschedule_conflicts')?.description).toMatch(/apply:true/);
  });

  it('check_availability gives the availability API’s answer, with local times and counted calendars', async () => {
    const client = await mcp.clientFor(alice);
    const from = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 2 * 86_400_000);
    const to = new Date(from.getTime() + 3 * 86_400_000);
    const data = mcp.structured(
      await callTool(client, 'check_availability', { from: from.toISOString(), to: to.toISOString() }),
      'check_availability',
    );
    const api = (
      await e2e.http.inject({
        url: `/api/v1/availability?from=${from.toISOString()}&to=${to.toISOString()}`,
        headers: alice,
      })
    ).json();
    expect(api.busy.length).toBeGreaterThan(0);
    const utc = (ranges: Array<{ start: string; end: string }>) => ranges.map((r) => [r.start, r.end]);
    expect(utc(data.busy)).toEqual(utc(api.busy));
    expect(utc(data.free)).toEqual(utc(api.free));
    expect(data.timeZone).toBe('America/New_York');
    expect(data.calendarsCounted).toEqual(api.calendars);
    expect(data.calendarsCounted.length).toBeGreaterThan(0);
    const [first] = data.busy;
    expect(first.startLocal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d-0[45]:00$/);
    expect(Date.parse(first.startLocal)).toBe(Date.parse(first.start));
  });

  it('refuses bad arguments with a tool error naming the field', async () => {
    const client = await mcp.clientFor(alice);
    const noOffset = errorText(
      await callTool(client, 'check_availability', {
        from: '2026-12-03T09:00:00',
        to: '2026-12-03T17:00:00Z',
      }),
    );
    expect(noOffset).toMatch(/from must be an ISO 8601 date-time with an offset/);
    const backwards = errorText(
      await callTool(client, 'check_availability', {
        from: '2026-12-03T17:00:00Z',
        to: '2026-12-03T09:00:00Z',
      }),
    );
    expect(backwards).toMatch(/to must be after from/);
    const tooLong = errorText(
      await callTool(client, 'check_availability', {
        from: '2026-12-01T00:00:00Z',
        to: '2027-02-01T00:00:00Z',
      }),
    );
    expect(tooLong).toMatch(/at most 31 days/);
    const unknownField = errorText(
      await callTool(client, 'list_deadlines', { course: 'Biology', colour: 'red' }),
    );
    expect(unknownField).toMatch(/colour/);
    const wrongType = errorText(
      await callTool(client, 'check_availability', {
        from: '2026-12-03T09:00:00Z',
        to: '2026-12-03T17:00:00Z',
        minMinutes: 'lots',
      }),
    );
    expect(wrongType).toMatch(/minMinutes/);
  });

  it('reschedule_conflicts finds a session a new meeting covers and proposes moving only what it must', async () => {
    const client = await mcp.clientFor(alice);
    const plan = mcp.structured(await callTool(client, 'get_study_plan'), 'get_study_plan');
    expect(plan.onCalendar).toBe(false);
    expect(plan.sessions.length).toBeGreaterThan(1);
    for (const s of plan.sessions) expect(Date.parse(s.startLocal)).toBe(Date.parse(s.start));

    // A meeting lands exactly on the first session still to come.
    const victim = plan.sessions.find(
      (s: { start: string; pinned: boolean }) => !s.pinned && Date.parse(s.start) > Date.now(),
    );
    // The conversation: the session's hour is free, then a meeting takes it.
    const around = {
      from: new Date(Date.parse(victim.start) - HOUR).toISOString(),
      to: new Date(Date.parse(victim.end) + HOUR).toISOString(),
    };
    const covers = (ranges: Array<{ start: string; end: string }>) =>
      ranges.some((r) => r.start <= victim.start && r.end >= victim.end);
    const before = mcp.structured(await callTool(client, 'check_availability', around), 'check_availability');
    expect(covers(before.busy)).toBe(false);
    expect(before.unknown).toEqual([]);
    const meeting = e2e.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Meeting moved onto study time',
      start: { dateTime: victim.start },
      end: { dateTime: victim.end },
    });
    const after = mcp.structured(await callTool(client, 'check_availability', around), 'check_availability');
    expect(covers(after.busy)).toBe(true);
    const appCalendar = [...e2e.google.state.calendars.values()].find(
      (c) => c.summary === 'CanvasCal' && !c.deleted,
    );
    if (!appCalendar) throw new Error('no CanvasCal calendar');
    const eventsOnAppCalendar = () =>
      [...(e2e.google.state.events.get(appCalendar.id)?.values() ?? [])].length;
    const eventsBefore = eventsOnAppCalendar();

    const proposal = mcp.structured(
      await callTool(client, 'reschedule_conflicts', { proposalId: plan.planId }),
      'reschedule_conflicts',
    );
    expect(proposal.basedOn).toBe(plan.planId);
    expect(proposal.applied).toBe(false);
    expect(proposal.conflicts).toContainEqual(
      expect.objectContaining({
        start: victim.start,
        end: victim.end,
        deadlineId: victim.deadlineId,
        overlaps: 'busy',
      }),
    );
    expect(proposal.moves.remove).toContainEqual(
      expect.objectContaining({ start: victim.start, deadlineId: victim.deadlineId, reason: 'conflict' }),
    );
    const [ms, me] = [Date.parse(victim.start), Date.parse(victim.end)];
    for (const s of proposal.moves.add)
      expect(Date.parse(s.start) < me && Date.parse(s.end) > ms).toBe(false);
    // Stable: every session not removed was kept where it was.
    const upcoming = plan.sessions.filter((s: { start: string }) => Date.parse(s.start) >= Date.now());
    expect(proposal.keptCount).toBeGreaterThanOrEqual(upcoming.length - proposal.moves.remove.length - 1);
    expect(proposal.keptCount).toBeGreaterThan(0);

    const apply = errorText(
      await callTool(client, 'reschedule_conflicts', { apply: true, proposalId: proposal.proposalId }),
    );
    // Automatic planning is off for this student: applying would clear the calendar's sessions.
    expect(apply).toMatch(/planning on the calendar is off/);
    expect(apply).toMatch(/nothing was changed/);
    expect(eventsOnAppCalendar()).toBe(eventsBefore);

    // Checking the new proposal again finds nothing left to move.
    const again = mcp.structured(
      await callTool(client, 'reschedule_conflicts', { proposalId: proposal.proposalId }),
      'reschedule_conflicts',
    );
    expect(again.conflicts).toEqual([]);
    expect(again.moves.remove).toEqual([]);
    e2e.google.userDeleteEvent(DEMO_STUDENT_EMAIL, meeting);
  });

  it('list_deadlines, sync_status and sync_now answer from the caller’s own data', async () => {
    const client = await mcp.clientFor(alice);
    const stored = (await e2e.http.inject({ url: '/api/v1/sync/status', headers: alice })).json();
    expect(stored.lastRun.status).toBe('succeeded');
    const deadlines = mcp.structured(
      await callTool(client, 'list_deadlines', { to: undefined }),
      'list_deadlines',
    );
    expect(deadlines.deadlines.length).toBeGreaterThan(0);
    const course = deadlines.deadlines[0].course as string;
    const filtered = mcp.structured(
      await callTool(client, 'list_deadlines', { course: course.toUpperCase() }),
      'list_deadlines',
    );
    expect(filtered.deadlines.length).toBeGreaterThan(0);
    for (const d of filtered.deadlines) expect(d.course).toBe(course);

    const status = mcp.structured(await callTool(client, 'sync_status'), 'sync_status');
    expect(status.google.status).toBe('connected');
    expect(status.lastRun.id).toBe(stored.lastRun.id);

    const sync = mcp.structured(await callTool(client, 'sync_now', { waitSeconds: 20 }), 'sync_now');
    expect(sync.finished).toBe(true);
    expect(sync.runs.map((r: { kind: string }) => r.kind)).toEqual(['canvas', 'calendars']);
    for (const run of sync.runs) {
      expect(run.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(run.run.status).toBe('succeeded');
    }
  });

  it("a second user's token sees only their own data", async () => {
    const aliceClient = await mcp.clientFor(alice);
    const alicePlan = mcp.structured(await callTool(aliceClient, 'get_study_plan'), 'get_study_plan');
    const client = await mcp.clientFor(bob);
    const deadlines = mcp.structured(await callTool(client, 'list_deadlines'), 'list_deadlines');
    expect(deadlines.deadlines).toEqual([]);
    const status = mcp.structured(await callTool(client, 'sync_status'), 'sync_status');
    expect(status.google.status).toBe('not_connected');
    expect(status.lastRun).toBeNull();
    const availability = errorText(
      await callTool(client, 'check_availability', {
        from: '2026-12-03T09:00:00Z',
        to: '2026-12-03T17:00:00Z',
      }),
    );
    expect(availability).toMatch(/^Google is not connected: .*http:\/\/.*\/docs/);
    const stolen = errorText(
      await callTool(client, 'reschedule_conflicts', { proposalId: alicePlan.planId }),
    );
    expect(stolen).toMatch(/No plan or proposal/);
    const sync = errorText(await callTool(client, 'sync_now', { waitSeconds: 0 }));
    expect(sync).toMatch(/canvas: .*Connect/i);
  });

  it('answers 401 with the protected resource metadata when the token is missing or bad', async () => {
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    };
    const missing = await fetch(`${base}/mcp`, init);
    expect(missing.status).toBe(401);
    const challenge = missing.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(
      /^Bearer resource_metadata="http:\/\/[^"]+\/\.well-known\/oauth-protected-resource\/mcp"$/,
    );
    const bad = await fetch(`${base}/mcp`, {
      ...init,
      headers: { ...init.headers, authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const metadata = (await (await fetch(`${base}${new URL(metadataUrl).pathname}`)).json()) as {
      resource: string;
      bearer_methods_supported: string[];
    };
    expect(metadata.resource).toMatch(/\/mcp$/);
    expect(metadata.bearer_methods_supported).toEqual(['header']);

    const fromAnotherSite = await fetch(`${base}/mcp`, {
      ...init,
      headers: { ...init.headers, ...alice, origin: 'https://evil.example' },
    });
    expect(fromAnotherSite.status).toBe(403);
  });
});
