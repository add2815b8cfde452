import type { SqlSession } from '../../src/db/client.ts';

/**
 * Seeds `count` users with live Google and Canvas connections straight into the tables, in
 * three statements (the scheduling tests and the tick bench need thousands, not a realistic
 * connect flow). Ids are random v4 uuids; returns them sorted.
 */
export async function seedConnectedStudents(session: SqlSession, count: number): Promise<string[]> {
  const rows = await session.query<{ id: string }>(
    'insert into users (id) select gen_random_uuid() from generate_series(1, $1) returning id',
    [count],
  );
  const ids = rows.map((r) => r.id).sort();
  await session.query(
    `insert into google_connections (user_id, status, granted_scopes)
     select id, 'connected', '{}' from unnest($1::uuid[]) as id`,
    [ids],
  );
  await session.query(
    `insert into canvas_connections (user_id, base_url, auth_kind, encrypted_access_token, canvas_user_id)
     select id, 'https://canvas.school.edu', 'personal_token', 'v1.k.x.y', '1' from unnest($1::uuid[]) as id`,
    [ids],
  );
  return ids;
}
