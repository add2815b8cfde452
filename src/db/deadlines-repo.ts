import { and, asc, eq, gte, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
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

/** The user's deadlines as last read completely from Canvas; the planner and tools read them. */
export interface DeadlinesRepo {
  /** Replaces the user's set (keeping per-item effort overrides) in one transaction. */
  replaceAll(userId: string, items: Array<Omit<DeadlineRecord, 'effortMinutes'>>): Promise<void>;
  list(userId: string, range?: { from: Date; to: Date }): Promise<DeadlineRecord[]>;
  setEffort(userId: string, sourceKey: string, minutes: number | null): Promise<boolean>;
}

export function createDeadlinesRepo(orm: Orm): DeadlinesRepo {
  return {
    async replaceAll(userId, items) {
      await orm.transaction(async (tx) => {
        const keys = items.map((i) => i.sourceKey);
        await tx
          .delete(deadlines)
          .where(
            keys.length > 0
              ? and(eq(deadlines.userId, userId), notInArray(deadlines.sourceKey, keys))
              : eq(deadlines.userId, userId),
          );
        for (let i = 0; i < items.length; i += 500) {
          const rows = items.slice(i, i + 500).map((item) => ({ ...item, userId, updatedAt: new Date() }));
          await tx
            .insert(deadlines)
            .values(rows)
            .onConflictDoUpdate({
              target: [deadlines.userId, deadlines.sourceKey],
              set: Object.fromEntries(
                [
                  'kind',
                  'courseId',
                  'courseName',
                  'title',
                  'dueAt',
                  'allDay',
                  'allDayDate',
                  'pointsPossible',
                  'submitted',
                  'htmlUrl',
                  'updatedAt',
                ].map((column) => [column, excluded(column)]),
              ),
            });
        }
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
