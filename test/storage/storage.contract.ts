import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTableColumns, getTableName } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import { createCanvasConnectionsRepo } from '../../src/db/canvas-connections-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createDeadlinesRepo } from '../../src/db/deadlines-repo.ts';
import { createEventMappingsRepo } from '../../src/db/event-mappings-repo.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from '../../src/db/migrate.ts';
import { createOAuthStatesRepo } from '../../src/db/oauth-states-repo.ts';
import { schema } from '../../src/db/schema.ts';
import { rotateSecrets } from '../../src/db/secret-rotation.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';
import { createUserLock } from '../../src/db/user-lock.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';

export interface StorageHarness {
  /** A fresh, empty database. */
  open(): Promise<Database>;
  /** A second connection to the same database (Postgres only: PGlite is one process). */
  openAnother?: (() => Promise<Database>) | undefined;
  cleanup(): Promise<void>;
}

const SECRET_TABLES = ['users', 'canvas_connections', 'oauth_states', 'google_connections'];

/** The same storage behaviour, asserted on every backend. */
export function storageContract(makeHarness: () => Promise<StorageHarness>): void {
  let harness: StorageHarness;
  let db: Database;

  beforeEach(async () => {
    harness = await makeHarness();
    db = await harness.open();
  });
  afterEach(async () => {
    await db.close();
    await harness.cleanup();
  });

  it('applies every migration once; a second run applies none', async () => {
    const files = await readMigrations();
    expect((await migrate(db)).applied).toEqual(files.map((f) => f.name));
    expect((await migrate(db)).applied).toEqual([]);
  });

  it('keeps the blueprint users table with exactly its columns and JSONB default', async () => {
    await migrate(db);
    const columns = await db.withSession((s) =>
      s.query<{ column_name: string; data_type: string }>(
        `select column_name, data_type from information_schema.columns
         where table_schema = current_schema() and table_name = 'users' order by ordinal_position`,
      ),
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'uuid' },
      { column_name: 'email', data_type: 'text' },
      { column_name: 'encrypted_refresh_token', data_type: 'text' },
      { column_name: 'google_calendar_settings', data_type: 'jsonb' },
      { column_name: 'last_sync_token', data_type: 'text' },
    ]);
    await createUsersRepo(db.orm).ensure('00000000-0000-4000-8000-000000000001', 'a@example.edu');
    const [row] = await db.withSession((s) =>
      s.query<{ google_calendar_settings: unknown }>('select google_calendar_settings from users'),
    );
    expect(row?.google_calendar_settings).toEqual({
      preferred_calendars: ['primary'],
      watch_expiration: null,
      sync_error_count: 0,
    });
  });

  it('stores every timestamp as timestamptz', async () => {
    await migrate(db);
    const rows = await db.withSession((s) =>
      s.query<{ table_name: string; column_name: string; data_type: string }>(
        `select table_name, column_name, data_type from information_schema.columns
         where table_schema = current_schema() and (column_name like '%\\_at' or data_type like 'timestamp%')`,
      ),
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows)
      expect(`${row.table_name}.${row.column_name}: ${row.data_type}`).toMatch(/with time zone$/);
  });

  it('has row level security on every table holding secrets, so a role without a policy reads nothing', async () => {
    await migrate(db);
    const rows = await db.withSession((s) =>
      s.query<{ relname: string; relrowsecurity: boolean }>(
        `select relname, relrowsecurity from pg_class where relname = any($1::text[])`,
        [SECRET_TABLES],
      ),
    );
    expect(rows).toHaveLength(SECRET_TABLES.length);
    for (const row of rows) expect(`${row.relname}:${row.relrowsecurity}`).toBe(`${row.relname}:true`);

    await createUsersRepo(db.orm).ensure('00000000-0000-4000-8000-000000000002', 'b@example.edu');
    const visible = await db.withSession(async (s) => {
      await s.exec(`do $$ begin
        if not exists (select 1 from pg_roles where rolname = 'canvascal_anon_probe') then
          create role canvascal_anon_probe nologin;
        end if; end $$`);
      await s.exec('grant select on users to canvascal_anon_probe');
      await s.exec('set role canvascal_anon_probe');
      try {
        return await s.query<{ n: string | number }>('select count(*) as n from users');
      } finally {
        await s.exec('reset role');
      }
    });
    expect(Number(visible[0]?.n)).toBe(0);
  });

  it('matches the Drizzle schema to the SQL migrations, column for column', async () => {
    await migrate(db);
    for (const table of Object.values(schema)) {
      const name = getTableName(table);
      const expected = Object.values(getTableColumns(table))
        .map((c) => c.name)
        .sort();
      const actual = (
        await db.withSession((s) =>
          s.query<{ column_name: string }>(
            `select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1`,
            [name],
          ),
        )
      )
        .map((r) => r.column_name)
        .sort();
      expect({ name, columns: actual }).toEqual({ name, columns: expected });
    }
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canvascal-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(db, dir);
    const [first] = await readMigrations(dir);
    if (!first) throw new Error('no migrations');
    await writeFile(join(dir, first.name), `${first.sql}\n-- edited\n`);
    await expect(migrate(db, dir)).rejects.toBeInstanceOf(MigrationError);
  });

  it('creates a user once however often and however concurrently it is ensured', async () => {
    await migrate(db);
    const users = createUsersRepo(db.orm);
    const id = '00000000-0000-4000-8000-000000000003';
    await Promise.all(Array.from({ length: 5 }, () => users.ensure(id, 'c@example.edu')));
    expect(await users.get(id)).toEqual({
      id,
      email: 'c@example.edu',
      timeZone: 'UTC',
      hasGoogleToken: false,
    });
    // Another identity with the same email keeps its id and loses only the duplicate email.
    await users.ensure('00000000-0000-4000-8000-000000000004', 'c@example.edu');
    expect((await users.get('00000000-0000-4000-8000-000000000004'))?.email).toBeNull();
  });

  it('applies migrations exactly once when two processes start at the same time', async (context) => {
    if (!harness.openAnother) {
      context.skip();
      return;
    }
    const other = await harness.openAnother();
    try {
      const results = await Promise.all([migrate(db), migrate(other)]);
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual((await readMigrations()).map((f) => f.name).sort());
    } finally {
      await other.close();
    }
  });

  it('holds one (name, user) at a time, across processes where there are several, never blocking another user', async () => {
    // On Postgres the second holder is another process (its own pool); PGlite has one.
    const other = harness.openAnother ? await harness.openAnother() : undefined;
    try {
      const lock = createUserLock(db);
      const elsewhere = other ? createUserLock(other) : lock;
      const [alice, bob] = ['00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b2'];
      const seen: string[] = [];
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const first = lock('google-refresh', alice, async () => {
        seen.push('first in');
        await held;
        seen.push('first out');
      });
      await vi.waitFor(() => expect(seen).toContain('first in'));
      const second = elsewhere('google-refresh', alice, async () => {
        seen.push('second in');
      });
      await elsewhere('google-refresh', bob, async () => {
        seen.push('bob');
      });
      await elsewhere('canvas-refresh', alice, async () => {
        seen.push('another lock');
      });
      expect(seen).toEqual(['first in', 'bob', 'another lock']);
      release();
      await Promise.all([first, second]);
      expect(seen).toEqual(['first in', 'bob', 'another lock', 'first out', 'second in']);
    } finally {
      await other?.close();
    }
  });
}

/** Repositories that hold sync state, on every backend. */
export function syncStateContract(makeHarness: () => Promise<StorageHarness>): void {
  let harness: StorageHarness;
  let db: Database;
  const alice = '00000000-0000-4000-8000-00000000000a';
  const bob = '00000000-0000-4000-8000-00000000000b';

  beforeEach(async () => {
    harness = await makeHarness();
    db = await harness.open();
    await migrate(db);
    const users = createUsersRepo(db.orm);
    await users.ensure(alice, 'alice@example.edu');
    await users.ensure(bob, 'bob@example.edu');
  });
  afterEach(async () => {
    await db.close();
    await harness.cleanup();
  });

  it('joins a second sync request to the run already queued, and scopes runs to their user', async () => {
    const runs = createSyncRunsRepo(db.orm);
    const [first, second] = await Promise.all([
      runs.createOrJoin(alice, 'canvas'),
      runs.createOrJoin(alice, 'canvas'),
    ]);
    expect(first?.run.id).toBe(second?.run.id);
    expect([first?.joined, second?.joined].sort()).toEqual([false, true]);
    const runId = first?.run.id ?? '';
    expect(await runs.get(bob, runId)).toBeUndefined();
    await runs.markRunning(runId);
    await runs.finish(runId, { status: 'succeeded', counts: { created: 3 }, googleCalls: 2 });
    expect(await runs.get(alice, runId)).toMatchObject({
      status: 'succeeded',
      counts: { created: 3 },
      googleCalls: 2,
    });
    const next = await runs.createOrJoin(alice, 'canvas');
    expect(next.joined).toBe(false);
    expect((await runs.latest(alice, 'canvas')).map((r) => r.id)).toEqual([next.run.id, runId]);
  });

  it('never joins a running run, fails a queued one lost for an hour, and abandons unfinished runs', async () => {
    const runs = createSyncRunsRepo(db.orm);
    const { run: running } = await runs.createOrJoin(alice, 'calendars');
    await runs.markRunning(running.id);
    // A change made while a run is past its read must get a run of its own.
    const during = await runs.createOrJoin(alice, 'calendars');
    expect(during.joined).toBe(false);
    expect(during.run.id).not.toBe(running.id);
    expect((await runs.createOrJoin(alice, 'calendars')).run.id).toBe(during.run.id);

    // A queued run whose job died with its process must not be joined forever.
    await db.withSession((s) =>
      s.query("update sync_runs set created_at = now() - interval '2 hours' where id = $1", [during.run.id]),
    );
    const fresh = await runs.createOrJoin(alice, 'calendars');
    expect(fresh.joined).toBe(false);
    expect(await runs.get(alice, during.run.id)).toMatchObject({
      status: 'failed',
      errorCode: 'interrupted',
    });

    expect(await runs.abandonUnfinished('restarted')).toBe(2);
    expect(await runs.get(alice, running.id)).toMatchObject({
      status: 'failed',
      errorCode: 'interrupted',
      errorMessage: 'restarted',
    });
    expect((await runs.get(alice, fresh.run.id))?.status).toBe('failed');
  });

  it('lists running runs by start, and fails a run only if it is still as the caller saw it', async () => {
    const runs = createSyncRunsRepo(db.orm);
    const { run } = await runs.createOrJoin(bob, 'canvas');
    await runs.markRunning(run.id);
    const later = new Date(Date.now() + 60_000);
    expect((await runs.listRunning(later)).map((r) => r.id)).toContain(run.id);
    expect((await runs.listRunning(new Date(0))).map((r) => r.id)).not.toContain(run.id);
    // Its job finished it meanwhile: a check that saw it running changes nothing.
    await runs.finish(run.id, { status: 'succeeded', counts: { created: 1 }, googleCalls: 1 });
    const failure = { status: 'failed' as const, counts: {}, googleCalls: 0, errorCode: 'interrupted' };
    expect(await runs.finishIfStill(run.id, 'running', failure)).toBe(false);
    expect((await runs.get(bob, run.id))?.status).toBe('succeeded');
    const { run: other } = await runs.createOrJoin(bob, 'canvas');
    await runs.markRunning(other.id);
    expect(await runs.finishIfStill(other.id, 'running', failure)).toBe(true);
    expect(await runs.get(bob, other.id)).toMatchObject({ status: 'failed', errorCode: 'interrupted' });
  });

  it('applies mapping upserts and deletes atomically, per user', async () => {
    const mappings = createEventMappingsRepo(db.orm);
    const row = (key: string, hash = 'h1') => ({
      sourceKey: key,
      calendarId: 'cal',
      googleEventId: `ev${key}`,
      contentHash: hash,
      googleEtag: null,
      userEdit: null,
    });
    await mappings.apply(alice, { upserts: [row('a1'), row('a2')], deletes: [] });
    await mappings.apply(bob, { upserts: [row('a1')], deletes: [] });
    await mappings.apply(alice, { upserts: [row('a1', 'h2')], deletes: ['a2'] });
    expect(await mappings.list(alice)).toEqual([row('a1', 'h2')]);
    expect(await mappings.list(bob)).toEqual([row('a1')]);
    // A failing statement inside apply leaves nothing half-written: the insert of a3 rolls
    // back with the a4 row whose event id collides with a1's.
    await expect(
      mappings.apply(alice, {
        upserts: [row('a3'), { ...row('a4'), googleEventId: 'eva1' }],
        deletes: ['a9'],
      }),
    ).rejects.toThrow();
    expect(await mappings.list(alice)).toEqual([row('a1', 'h2')]);
    expect(await mappings.clearCalendar(alice, 'cal')).toBe(1);
    expect(await mappings.list(bob)).toHaveLength(1);
  });

  it("records the student's edits on their own mappings only, until our next write clears them", async () => {
    const mappings = createEventMappingsRepo(db.orm);
    const row = (key: string, hash = 'h1') => ({
      sourceKey: key,
      calendarId: 'cal',
      googleEventId: `ev${key}`,
      contentHash: hash,
      googleEtag: null,
    });
    await mappings.apply(alice, { upserts: [row('b1'), row('b2')], deletes: [] });
    await mappings.apply(bob, { upserts: [{ ...row('b1'), googleEventId: 'bob-evb1' }], deletes: [] });
    const at = new Date('2026-12-01T12:00:00Z');
    expect(
      await mappings.recordUserEdits(alice, [
        { googleEventId: 'evb1', edit: 'moved', at },
        { googleEventId: 'evb2', edit: 'deleted', at },
        { googleEventId: 'bob-evb1', edit: 'deleted', at },
      ]),
    ).toBe(2);
    const edits = Object.fromEntries((await mappings.list(alice)).map((m) => [m.sourceKey, m.userEdit]));
    expect(edits).toEqual({ b1: 'moved', b2: 'deleted' });
    expect((await mappings.list(bob))[0]?.userEdit).toBeNull();
    await mappings.apply(alice, { upserts: [row('b1', 'h2')], deletes: [] });
    const after = Object.fromEntries((await mappings.list(alice)).map((m) => [m.sourceKey, m.userEdit]));
    expect(after).toEqual({ b1: null, b2: 'deleted' });
  });

  it('stores a Google grant atomically and replaces its token only over the version read', async () => {
    const connections = createGoogleConnectionsRepo(db.orm);
    expect(await connections.get(alice)).toBeUndefined();
    const first = await connections.connect(alice, {
      encryptedRefreshToken: 'v1.k.a.b',
      grantedScopes: ['s1', 's2'],
    });
    expect(first).toMatchObject({
      status: 'connected',
      grantedScopes: ['s1', 's2'],
      encryptedRefreshToken: 'v1.k.a.b',
    });
    expect(await connections.compareAndSetToken(alice, first.version, 'v1.k.c.d')).toBe(true);
    // A second writer that read the same version loses, and changes nothing.
    expect(await connections.compareAndSetToken(alice, first.version, 'v1.k.e.f')).toBe(false);
    expect((await connections.get(alice))?.encryptedRefreshToken).toBe('v1.k.c.d');

    await connections.markReconnectNeeded(alice, 'Google says the grant was revoked');
    expect(await connections.listConnectedUserIds()).toEqual([]);
    const again = await connections.connect(alice, {
      encryptedRefreshToken: 'v1.k.g.h',
      grantedScopes: ['s1'],
    });
    expect(again).toMatchObject({ status: 'connected', lastError: null, grantedScopes: ['s1'] });
    expect(again.version).toBeGreaterThan(first.version);
    expect(await connections.listConnectedUserIds()).toEqual([alice]);

    await connections.disconnect(alice);
    expect(await connections.get(alice)).toMatchObject({
      status: 'disconnected',
      encryptedRefreshToken: null,
    });
    expect(await connections.get(bob)).toBeUndefined();
  });

  it('lets an OAuth state be consumed once, before it expires, for its provider only', async () => {
    const states = createOAuthStatesRepo(db.orm);
    const now = new Date('2026-11-24T10:00:00Z');
    const record = {
      userId: alice,
      provider: 'google' as const,
      encryptedCodeVerifier: 'v1.k.x.y',
      redirectUri: 'http://x/cb',
      canvasBaseUrl: null,
    };
    await states.create('h1', { ...record, expiresAt: new Date(now.getTime() + 600_000) });
    await states.create('h2', { ...record, expiresAt: new Date(now.getTime() - 1) });
    expect(await states.consume('h1', 'canvas', now)).toBeUndefined();
    const results = await Promise.all([
      states.consume('h1', 'google', now),
      states.consume('h1', 'google', now),
    ]);
    expect(results.filter(Boolean)).toEqual([record]);
    expect(await states.consume('h2', 'google', now)).toBeUndefined();
    const canvas = {
      ...record,
      provider: 'canvas' as const,
      encryptedCodeVerifier: null,
      canvasBaseUrl: 'https://canvas.school.edu',
    };
    await states.create('h3', { ...canvas, expiresAt: new Date(now.getTime() + 600_000) });
    expect(await states.consume('h3', 'canvas', now)).toEqual(canvas);
    expect(await states.consume('nope', 'google', now)).toBeUndefined();
    // Consumed for another user: refused, and left usable for its owner.
    await states.create('h4', { ...record, expiresAt: new Date(now.getTime() + 600_000) });
    expect(await states.consume('h4', 'google', now, bob)).toBeUndefined();
    expect(await states.ownerOf('h4', 'google', now)).toBe(alice);
    expect(await states.consume('h4', 'google', now, alice)).toEqual(record);
    expect(await states.ownerOf('h4', 'google', now)).toBeUndefined();
    expect(await states.purgeExpired(now)).toBe(1);
  });

  it('keeps one Canvas connection per user and replaces it whole', async () => {
    const canvas = createCanvasConnectionsRepo(db.orm);
    const base = {
      userId: alice,
      baseUrl: 'https://canvas.example.edu',
      authKind: 'personal_token' as const,
      encryptedAccessToken: 'v1.k.a.b',
      encryptedRefreshToken: null,
      accessTokenExpiresAt: null,
      tokenExpiresAt: new Date('2027-03-01T00:00:00Z'),
      canvasUserId: '42',
    };
    await canvas.save(base);
    await canvas.markReconnectNeeded(alice, 'Canvas says the token is invalid');
    expect(await canvas.get(alice)).toMatchObject({
      status: 'reconnect_needed',
      lastError: 'Canvas says the token is invalid',
    });
    await canvas.save({ ...base, encryptedAccessToken: 'v1.k.c.d' });
    expect(await canvas.get(alice)).toMatchObject({
      status: 'connected',
      lastError: null,
      encryptedAccessToken: 'v1.k.c.d',
      tokenExpiresAt: base.tokenExpiresAt,
    });
    expect(await canvas.get(bob)).toBeUndefined();
    expect(await canvas.remove(alice)).toBe(true);
    expect(await canvas.remove(alice)).toBe(false);
  });

  it('replaces the deadline set but keeps effort overrides, and counts sync errors', async () => {
    const repo = createDeadlinesRepo(db.orm);
    const item = (key: string, due: string | null) => ({
      sourceKey: key,
      kind: 'assignment',
      courseId: '1',
      courseName: 'Course',
      title: key,
      dueAt: due ? new Date(due) : null,
      allDay: false,
      allDayDate: null,
      pointsPossible: 10,
      submitted: false,
      htmlUrl: null,
    });
    await repo.replaceAll(alice, [
      item('a', '2026-12-02T00:00:00Z'),
      item('b', '2026-12-01T00:00:00Z'),
      item('u', null),
    ]);
    expect(await repo.setEffort(alice, 'a', 90)).toBe(true);
    await repo.replaceAll(alice, [item('a', '2026-12-03T00:00:00Z'), item('c', '2026-12-04T00:00:00Z')]);
    const listed = await repo.list(alice);
    expect(listed.map((d) => [d.sourceKey, d.effortMinutes])).toEqual([
      ['a', 90],
      ['c', null],
    ]);
    expect(await repo.list(bob)).toEqual([]);
    const ranged = await repo.list(alice, {
      from: new Date('2026-12-03T12:00:00Z'),
      to: new Date('2026-12-31T00:00:00Z'),
    });
    expect(ranged.map((d) => d.sourceKey)).toEqual(['c']);

    const users = createUsersRepo(db.orm);
    expect(await users.recordSyncOutcome(alice, false)).toBe(1);
    expect(await users.recordSyncOutcome(alice, false)).toBe(2);
    expect(await users.recordSyncOutcome(alice, true)).toBe(0);
  });

  it('writes only the deadline rows that differ: an unchanged set writes none', async () => {
    const repo = createDeadlinesRepo(db.orm);
    const item = (key: string, due: string | null, extra: { submitted?: boolean; points?: number } = {}) => ({
      sourceKey: key,
      kind: 'assignment',
      courseId: '1',
      courseName: 'Course',
      title: key,
      dueAt: due ? new Date(due) : null,
      allDay: due === null,
      allDayDate: due === null ? '2026-12-05' : null,
      pointsPossible: extra.points ?? 10.5,
      submitted: extra.submitted ?? false,
      htmlUrl: null,
    });
    // Each row's version: Postgres gives a row a new xmin whenever it is written.
    const versions = async () =>
      new Map(
        (
          await db.withSession((s) =>
            s.query<{ source_key: string; version: string }>(
              'select source_key, xmin::text as version from deadlines where user_id = $1',
              [alice],
            ),
          )
        ).map((r) => [r.source_key, r.version]),
      );
    const set = [item('a', '2026-12-02T00:00:00Z'), item('b', '2026-12-01T00:00:00Z'), item('u', null)];
    expect(await repo.replaceAll(alice, set)).toEqual({ written: 3, removed: 0 });
    const first = await versions();
    const same = set.map((i) => ({ ...i, dueAt: i.dueAt && new Date(i.dueAt) }));
    expect(await repo.replaceAll(alice, same)).toEqual({ written: 0, removed: 0 });
    expect(await versions()).toEqual(first);
    // One submitted, one gone, one new: three rows touched, the fourth untouched.
    expect(
      await repo.replaceAll(alice, [
        item('a', '2026-12-02T00:00:00Z', { submitted: true }),
        item('u', null),
        item('c', '2026-12-04T00:00:00Z'),
      ]),
    ).toEqual({ written: 2, removed: 1 });
    const after = await versions();
    expect(after.get('u')).toBe(first.get('u'));
    expect(after.get('a')).not.toBe(first.get('a'));
    expect([...after.keys()].sort()).toEqual(['a', 'c', 'u']);
  });

  it('keeps the calendar cache and its sync token in step, and replaces a calendar atomically', async () => {
    const cache = createCalendarCacheRepo(db.orm);
    const event = (
      id: string,
      start: string,
      end: string,
      extra: Partial<Parameters<typeof cache.replaceCalendar>[2][number]> = {},
    ) => ({
      eventId: id,
      status: 'confirmed',
      summary: id,
      startAt: new Date(start),
      endAt: new Date(end),
      allDay: false,
      transparent: false,
      recurringEventId: null,
      etag: null,
      googleUpdatedAt: null,
      ...extra,
    });
    await cache.replaceCalendar(
      alice,
      { calendarId: 'primary', role: 'primary', timeZone: 'America/New_York' },
      [
        event('e1', '2026-12-01T14:00:00Z', '2026-12-01T15:00:00Z'),
        event('e2', '2026-12-01T16:00:00Z', '2026-12-01T17:00:00Z', { transparent: true }),
        event('e3', '2026-12-02T14:00:00Z', '2026-12-02T15:00:00Z'),
      ],
      'token-1',
    );
    expect((await cache.state(alice, 'primary'))?.syncToken).toBe('token-1');
    const day = [new Date('2026-12-01T00:00:00Z'), new Date('2026-12-02T00:00:00Z')] as const;
    expect((await cache.busyEvents(alice, ['primary'], ...day)).map((e) => e.eventId)).toEqual(['e1']);

    await cache.applyChanges(
      alice,
      'primary',
      { upserts: [event('e4', '2026-12-01T18:00:00Z', '2026-12-01T19:00:00Z')], removals: ['e1'] },
      'token-2',
    );
    expect((await cache.busyEvents(alice, ['primary'], ...day)).map((e) => e.eventId)).toEqual(['e4']);
    const rows = await cache.getMany(alice, 'primary', ['e2', 'e4', 'e1', 'nope']);
    expect(rows.map((e) => e.eventId).sort()).toEqual(['e2', 'e4']);
    expect(rows.find((e) => e.eventId === 'e2')).toMatchObject({ transparent: true });
    expect(await cache.getMany(bob, 'primary', ['e2', 'e4'])).toEqual([]);
    expect(await cache.getMany(alice, 'primary', [])).toEqual([]);
    // Past one slice of ids (1,000): every cached one is found, once.
    const many = [...Array.from({ length: 1_200 }, (_, i) => `missing-${i}`), 'e4', 'e2'];
    expect((await cache.getMany(alice, 'primary', many)).map((e) => e.eventId).sort()).toEqual(['e2', 'e4']);
    const [row] = await db.withSession((s) =>
      s.query<{ last_sync_token: string }>('select last_sync_token from users where id = $1', [alice]),
    );
    expect(row?.last_sync_token).toBe('token-2');

    // A page that fails to apply leaves the token where it was.
    await expect(
      cache.applyChanges(alice, 'other-cal', { upserts: [], removals: [] }, 'token-x'),
    ).rejects.toThrow(/full sync first/);
    await cache.replaceCalendar(
      alice,
      { calendarId: 'primary', role: 'primary', timeZone: 'America/New_York' },
      [event('e9', '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z')],
      'token-3',
    );
    expect((await cache.busyEvents(alice, ['primary'], ...day)).map((e) => e.eventId)).toEqual(['e9']);
    expect(await cache.busyEvents(bob, ['primary'], ...day)).toEqual([]);
  });

  it('walks every encrypted column in batches, re-sealing only what is not current, with its row binding', async () => {
    const connections = createGoogleConnectionsRepo(db.orm);
    await connections.connect(alice, { encryptedRefreshToken: 'old:a-google', grantedScopes: [] });
    await connections.connect(bob, { encryptedRefreshToken: 'new:b-google', grantedScopes: [] });
    await createCanvasConnectionsRepo(db.orm).save({
      userId: alice,
      baseUrl: 'https://canvas.example.edu',
      authKind: 'oauth',
      encryptedAccessToken: 'old:a-canvas',
      encryptedRefreshToken: 'old:a-canvas-refresh',
      accessTokenExpiresAt: null,
      tokenExpiresAt: null,
      canvasUserId: '1',
    });
    await createOAuthStatesRepo(db.orm).create('h1', {
      userId: bob,
      provider: 'canvas',
      encryptedCodeVerifier: 'old:b-verifier',
      redirectUri: 'http://x',
      expiresAt: new Date(Date.now() + 60_000),
    });
    const seen: string[] = [];
    // A stand-in cipher: "old:" envelopes are stale, and the binding is written into the new one.
    const reseal = (
      envelope: string,
      b: { userId: string; provider: string; purpose: string; origin?: string },
    ) => {
      seen.push(
        `${b.provider}/${b.purpose}/${b.userId === alice ? 'alice' : 'bob'}${b.origin ? ` @${b.origin}` : ''}`,
      );
      return envelope.startsWith('old:') ? `new:${envelope.slice(4)}|${b.provider}/${b.purpose}` : envelope;
    };
    const report = await rotateSecrets(db, reseal, { batchSize: 1 });
    expect(report).toEqual({ examined: 5, reencrypted: 4, skipped: 0 });
    expect(seen.sort()).toEqual([
      // A Canvas token is bound to its Canvas's address too.
      'canvas/access_token/alice @https://canvas.example.edu',
      'canvas/code_verifier/bob',
      'canvas/refresh_token/alice @https://canvas.example.edu',
      'google/refresh_token/alice',
      'google/refresh_token/bob',
    ]);
    expect((await connections.get(alice))?.encryptedRefreshToken).toBe('new:a-google|google/refresh_token');
    // Running again changes nothing: rotation is resumable.
    expect(await rotateSecrets(db, reseal)).toEqual({ examined: 5, reencrypted: 0, skipped: 0 });
  });
}
