import { and, asc, eq, gte, inArray, isNotNull, lte, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { deadlines } from './schema.ts';

export interface DeadlineRecord {
  sourceKey: string;
  kind: string;
  courseId: string | null;
  courseName: string | null;
  title: string;
  dueAt: Date | null;
  allDay: boolean;
  allDayDate: string | null;
  pointsPossible: number | null;
  submitted: boolean;
  htmlUrl: string | null;
  effortMinutes: number | null;
}

/** What a `replaceAll` wrote: rows inserted or changed, and rows removed. */
export interface DeadlineWrites {
  written: number;
  removed: number;
}

type DeadlineFields = Omit<DeadlineRecord, 'effortMinutes'>;

/** The user's deadlines as last read completely from Canvas; the planner and tools read them. */
export interface DeadlinesRepo {
  /**
   * Makes the user's set exactly `items` (keeping per-item effort overrides) in one
   * transaction, writing only the rows that differ: an unchanged set writes nothing.
   */
  replaceAll(userId: string, items: DeadlineFields[]): Promise<DeadlineWrites>;
  list(userId: string, range?: { from: Date; to: Date }): Promise<DeadlineRecord[]>;
  setEffort(userId: string, sourceKey: string, minutes: number | null): Promise<boolean>;
}

const COMPARED = [
  'kind',
  'courseId',
  'courseName',
  'title',
  'allDay',
  'allDayDate',
  'pointsPossible',
  'submitted',
  'htmlUrl',
] as const satisfies ReadonlyArray<keyof DeadlineFields>;

/** Whether a stored row already says what Canvas says now. */
export function sameDeadline(stored: DeadlineFields, item: DeadlineFields): boolean {
  return (
    (stored.dueAt?.getTime() ?? null) === (item.dueAt?.getTime() ?? null) &&
    COMPARED.every((column) => stored[column] === item[column])
  );
}

export function createDeadlinesRepo(orm: Orm): DeadlinesRepo {
  return {
    async replaceAll(userId, items) {
      return orm.transaction(async (tx) => {
        // Locked, so a concurrent writer of the same user's set waits instead of racing the compare.
        const stored = new Map(
          (await tx.select().from(deadlines).where(eq(deadlines.userId, userId)).for('update')).map((row) => [
            row.sourceKey,
            row,
          ]),
        );
        const wanted = new Set(items.map((i) => i.sourceKey));
        const gone = [...stored.keys()].filter((key) => !wanted.has(key));
        for (let i = 0; i < gone.length; i += 1000)
          await tx
            .delete(deadlines)
            .where(and(eq(deadlines.userId, userId), inArray(deadlines.sourceKey, gone.slice(i, i + 1000))));
        const changed = items.filter((item) => {
          const row = stored.get(item.sourceKey);
          return row === undefined || !sameDeadline(row, item);
        });
        for (let i = 0; i < changed.length; i += 500) {
          const rows = changed.slice(i, i + 500).map((item) => ({ ...item, userId, updatedAt: new Date() }));
          await tx
            .insert(deadlines)
            .values(rows)
            .onConflictDoUpdate({
              target: [deadlines.userId, deadlines.sourceKey],
              set: Object.fromEntries(
                [...COMPARED, 'dueAt', 'updatedAt'].map((column) => [column, excluded(column)]),
              ),
            });
        }
        return { written: changed.length, removed: gone.length };
      });
    },
    async list(userId, range) {
      const where = range
        ? and(
            eq(deadlines.userId, userId),
            isNotNull(deadlines.dueAt),
            gte(deadlines.dueAt, range.from),
            lte(deadlines.dueAt, range.to),
          )
        : eq(deadlines.userId, userId);
      const rows = await orm
        .select()
        .from(deadlines)
        .where(where)
        .orderBy(asc(deadlines.dueAt), asc(deadlines.sourceKey));
      return rows.map(({ userId: _u, updatedAt: _t, ...rest }) => rest);
    },
    async setEffort(userId, sourceKey, minutes) {
      const rows = await orm
        .update(deadlines)
        .set({ effortMinutes: minutes })
        .where(and(eq(deadlines.userId, userId), eq(deadlines.sourceKey, sourceKey)))
        .returning({ key: deadlines.sourceKey });
      return rows.length > 0;
    },
  };
}

const SNAKE: Record<string, string> = {
  courseId: 'course_id',
  courseName: 'course_name',
  dueAt: 'due_at',
  allDay: 'all_day',
  allDayDate: 'all_day_date',
  pointsPossible: 'points_possible',
  htmlUrl: 'html_url',
  updatedAt: 'updated_at',
};

function excluded(column: string) {
  return sql.raw(`excluded.${SNAKE[column] ?? column}`);
}
