import type { Database } from '../../src/db/client.ts';

/**
 * Every row in every table of the schema that mentions `needle` (a user id or email) in any
 * column, JSON included: the tables are read from information_schema, not listed by hand, so a
 * table added later is checked too. Answers table name → count, tables without a match left out.
 */
export async function rowsMentioning(db: Database, needle: string): Promise<Record<string, number>> {
  return db.withSession(async (session) => {
    const tables = await session.query<{ table_name: string }>(
      `select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
    );
    const found: Record<string, number> = {};
    for (const { table_name: table } of tables) {
      // The whole row as text: whatever column (or JSON field) holds the needle shows up.
      const rows = await session.query<{ n: number }>(
        `select count(*)::int as n from "${table.replaceAll('"', '""')}" as r where r::text like $1`,
        [`%${needle}%`],
      );
      const n = Number(rows[0]?.n ?? 0);
      if (n > 0) found[table] = n;
    }
    return found;
  });
}

/** The tables of the schema (base tables of the current schema), for a test to show it looked. */
export async function schemaTables(db: Database): Promise<string[]> {
  return db.withSession(async (session) =>
    (
      await session.query<{ table_name: string }>(
        `select table_name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`,
      )
    ).map((r) => r.table_name),
  );
}
