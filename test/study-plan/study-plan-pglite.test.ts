import { describe } from 'vitest';
import { migratedPglite } from '../support/pglite.ts';
import { studyPlanSuite } from './study-plan.suite.ts';

describe('the study plan on the calendar (PGlite, the embedded default)', () => {
  studyPlanSuite(migratedPglite, (db) => db.close());
});
