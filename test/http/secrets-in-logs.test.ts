import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanvasCalApp, createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';

// The README promises sealed blobs never reach a log. A failed database write is where they
// leaked: the driver's error quotes the row it refused, sealed Canvas token and all.
const SEALED = /\bv[0-9]+\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

let app: CanvasCalApp;
let dir: string;
const lines: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canvascal-logs-'));
  app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      CANVASCAL_EMULATORS: 'on',
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      SYNC_INTERVAL_MINUTES: '0',
    }),
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('secrets in the logs', () => {
  it('a failed write of a sealed Canvas token logs the failure, not the token', async () => {
    const http = app.http;
    if (!http) throw new Error('no HTTP');
    const login = await http.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    const headers = { authorization: `Bearer ${login.json().accessToken}` };
    // Every new row now fails, with the row (sealed token included) in the error's detail.
    await app.db.orm.execute(
      sql.raw('alter table canvas_connections add constraint refuse_all check (false) not valid'),
    );
    lines.length = 0;
    const res = await http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect(res.statusCode).toBe(500);
    const log = lines.join('');
    expect(log).toMatch(/refuse_all|canvas_connections/);
    expect(log).not.toMatch(SEALED);
    const token = app.emulators?.canvas.control.demo?.token ?? 'missing';
    expect(log).not.toContain(token);
    expect(log).not.toContain(login.json().accessToken);
  });
});
