import { PGlite } from '@electric-sql/pglite';
import { wrapPglite } from '/work/main/src/db/client.ts';
import { migrate } from '/work/main/src/db/migrate.ts';
let t=Date.now(); const db=await PGlite.create(); console.log('boot',Date.now()-t);
t=Date.now(); await migrate(wrapPglite(db)); console.log('migrate',Date.now()-t);
for (let i=0;i<3;i++){ t=Date.now(); const c=await db.clone(); console.log('clone',Date.now()-t); t=Date.now(); await c.query('select 1'); await c.close(); console.log('q+close',Date.now()-t);}
t=Date.now(); const e=await PGlite.create(); const c2=await e.clone(); console.log('empty boot+clone',Date.now()-t);
