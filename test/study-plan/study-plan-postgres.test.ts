import { openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { studyPlanSuite } from './study-plan.suite.ts';

describeWithPostgres('the study plan on the calendar (PostgreSQL)', (adminUrl) => {
  const drops = new Map<object, () => Promise<void>>();
  studyPlanSuite(
    async () => {
      const database = await createTestDatabase(adminUrl);
      const db = await openPostgres(database.url, 4);
      await migrate(db);
      drops.set(db, database.drop);
      return db;
    },
    async (db) => {
      await db.close();
      await drops.get(db)?.();
      drops.delete(db);
    },
  );
});
