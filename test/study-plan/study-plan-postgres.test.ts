import { migratedPostgres } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { studyPlanSuite } from './study-plan.suite.ts';

describeWithPostgres('the study plan on the calendar (PostgreSQL)', (adminUrl) => {
  const databases = migratedPostgres(adminUrl);
  studyPlanSuite(databases.open, databases.close);
});
