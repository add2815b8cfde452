// The module a planner worker thread runs (loaded by planner-worker-entry.mjs): the real solver.
import { serveJobs } from './planner-worker.ts';
import { solvePlan } from './solve-plan.ts';

serveJobs(solvePlan);
