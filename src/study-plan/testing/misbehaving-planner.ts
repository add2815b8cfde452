// A planner worker module for tests: the real solver, except for jobs whose `now` asks it to
// crash the thread, hang or throw, so the pool's failure paths run against a real thread.
import { serveJobs } from '../planner-worker.ts';
import { solvePlan } from '../solve-plan.ts';

serveJobs((job) => {
  if (job.input.now === 'crash') process.exit(3);
  if (job.input.now === 'hang') for (;;) {}
  if (job.input.now === 'throw') throw new Error('a bug in the solver');
  return solvePlan(job);
});
