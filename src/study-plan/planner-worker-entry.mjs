// The file a planner worker thread starts from. Plain JavaScript, because a worker thread
// does not reliably inherit the TypeScript loader: under `node --import tsx` (npm start,
// bin/canvascal.js) it may, under vitest it does not. tsImport loads the TypeScript module
// named in workerData with tsx's loader scoped to this import, so it works the same in all.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.module, import.meta.url);
