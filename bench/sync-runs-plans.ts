// Query plans of every query on sync_runs after a year of runs (96 per user per day, as a
// 15-minute period makes), before and after migration 20261206000200_sync_runs_scale.sql.
// Needs Postgres: BENCH_DATABASE_URL (or TEST_DATABASE_URL), an admin URL on which a
// throwaway database is created and dropped. `npm run bench sync-runs-plans`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openPostgres, type SqlSession } from '../src/db/client.ts';
import { MIGRATIONS_DIR, migrate } from '../src/db/migrate.ts';
import { seedConnectedStudents } from '../test/support/many-students.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

const USERS = Number(process.env.BENCH_PLAN_USERS ?? 20);
const DAYS = 365;
const PER_DAY = 96;

const QUERIES: Record<string, string> = {
  // createOrJoin: fail the user's stale queued runs, then join the queued one if any.
  'createOrJoin stale-run update': `update sync_runs set status = 'failed', error_code = 'interrupted', finished_at = now()
    where user_id = $1 and kind = 'canvas' and status = 'queued' and created_at < now() - interval '1 hour'`,
  'createOrJoin queued run': `select * from sync_runs where user_id = $1 and kind = 'canvas' and status = 'queued'
    order by created_at desc limit 1`,
  abandonUnfinished: `update sync_runs set status = 'failed', error_code = 'interrupted', finished_at = now()
    where status in ('queued', 'running')`,
  'lost-job check (listQueued)': `select id, user_id, kind from sync_runs where status = 'queued'
    and created_at < now() - interval '2 minutes' order by created_at limit 500`,
  'status route (latest 10)': `select * from sync_runs where user_id = $1 and kind = 'canvas'
    order by created_at desc limit 10`,
  'run route (get)': 'select * from sync_runs where user_id = $1 and id = $2 limit 1',
};

async function plans(session: SqlSession, userId: string, runId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(QUERIES)) {
    const params = sql.includes('$2') ? [userId, runId] : sql.includes('$1') ? [userId] : [];
    // Updates are measured and rolled back, so every plan sees the same table.
    await session.exec('begin');
    const rows = await session.query<{ 'QUERY PLAN': string }>(
      `explain (analyze, buffers, costs off, summary off) ${sql}`,
      params,
    );
    await session.exec('rollback');
    out[name] = rows.map((r) => r['QUERY PLAN']).join('\n');
  }
  return out;
}

export async function runSyncRunsPlansBench(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    console.log('skipped: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a Postgres admin URL');
    return;
  }
  const database = await createTestDatabase(adminUrl);
  const db = await openPostgres(database.url, 2, { statementTimeoutMs: 900_000 });
  try {
    await migrate(db);
    const before = await db.withSession(async (s) => {
      // The table as it was before the scale migration: only the (user_id, created_at) index.
      await s.exec(`drop index sync_runs_user_kind_created_idx; drop index sync_runs_queued_idx;
        drop index sync_runs_unfinished_idx;
        create index sync_runs_user_idx on sync_runs (user_id, created_at desc)`);
      const ids = await seedConnectedStudents(s, USERS);
      await s.query(
        `insert into sync_runs (id, user_id, kind, status, created_at, started_at, finished_at)
         select gen_random_uuid(), u, 'canvas', case when n % 97 = 0 then 'failed' else 'succeeded' end,
                t, t, t + interval '20 seconds'
         from unnest($1::uuid[]) as u,
              generate_series(1, $2::int) as n,
              lateral (select now() - n * interval '15 minutes' as t) as at`,
        [ids, DAYS * PER_DAY],
      );
      // Each user's newest run is queued (the tick just ran); one user has a running one.
      await s.query(
        `insert into sync_runs (id, user_id, kind, status) select gen_random_uuid(), u, 'canvas', 'queued'
         from unnest($1::uuid[]) as u`,
        [ids],
      );
      await s.exec('analyze sync_runs');
      const [count] = await s.query<{ n: string }>('select count(*)::text as n from sync_runs');
      console.log(`${count?.n} runs for ${USERS} users (${DAYS} days × ${PER_DAY} a day each)\n`);
      return ids;
    });
    const userId = before[Math.floor(before.length / 2)] ?? '';
    const [run] = await db.withSession((s) =>
      s.query<{ id: string }>(
        `select id from sync_runs where user_id = $1 order by created_at limit 1 offset 1000`,
        [userId],
      ),
    );
    const runId = run?.id ?? '';
    const old = await db.withSession((s) => plans(s, userId, runId));
    const migration = await readFile(join(MIGRATIONS_DIR, '20261206000200_sync_runs_scale.sql'), 'utf8');
    const after = await db.withSession(async (s) => {
      await s.exec(migration);
      await s.exec('analyze sync_runs');
      return plans(s, userId, runId);
    });
    for (const name of Object.keys(QUERIES)) {
      console.log(`### ${name}\n\nbefore:\n${old[name]}\n\nafter:\n${after[name]}\n`);
    }
  } finally {
    await db.close();
    await database.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runSyncRunsPlansBench();
