import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

describe('canvascal emulate', () => {
  it('runs the Google emulator alone, serving OAuth and Calendar, until SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/main.ts'), 'emulate', 'google', '--port', '0'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const unauthenticated = await fetch(`${url}/calendar/v3/users/me/calendarList`);
    expect(unauthenticated.status).toBe(401);
    const token = await fetch(`${url}/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(token.status).toBe(401);
    expect(await token.json()).toEqual({ error: 'invalid_client', error_description: 'Unauthorized' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
  it('runs the Canvas emulator alone and prints its URL, the demo token and the developer key id', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/main.ts'), 'emulate', 'canvas', '--port', '0'],
      { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const printed = await new Promise<{ url: string; token: string; keyId: string }>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        const token = /token[^:\n]*: (\S+)/.exec(output)?.[1];
        const keyId = /developer key[^:\n]* id: (\d+)/.exec(output)?.[1];
        if (url && token && keyId) resolve({ url, token, keyId });
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
    });
    const headers = { authorization: `Bearer ${printed.token}`, 'user-agent': 'e2e' };
    const self = await fetch(`${printed.url}/api/v1/users/self`, { headers });
    expect(self.status).toBe(200);
    // The printed key is the one the emulator's OAuth2 knows: an authorize URL with it gets a consent page.
    const consent = await fetch(
      `${printed.url}/login/oauth2/auth?${new URLSearchParams({
        client_id: printed.keyId,
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1/callback',
        state: 's',
      })}`,
    );
    expect(consent.status).toBe(200);
    const control = (name: string, args: unknown[]) =>
      fetch(`${printed.url}/_emulator/${name}`, { method: 'POST', body: JSON.stringify(args) });
    const counts = await control('requestCounts', []);
    expect(counts.status).toBe(200);
    expect(((await counts.json()) as { result: { total: number } }).result.total).toBeGreaterThanOrEqual(1);
    expect((await control('constructor', [])).status).toBe(400);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
  it('prints what a client of the Google emulator needs: the demo OAuth client and the demo student', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/main.ts'), 'emulate', 'google', '--port', '0'],
      { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const printed = await new Promise<{ url: string; clientId: string; secret: string; email: string }>(
      (resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
          const client = /OAuth client id: (\S+), secret: (\S+)/.exec(output);
          const email = /student email: (\S+@\S+)/.exec(output)?.[1];
          if (url && client?.[1] && client[2] && email)
            resolve({ url, clientId: client[1], secret: client[2], email });
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${output}`)));
      },
    );
    expect(printed.email).toBe('student@example.edu');
    // The printed client is one the emulator knows: its token endpoint rejects the grant, not the client.
    const token = await fetch(`${printed.url}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'not-issued',
        client_id: printed.clientId,
        client_secret: printed.secret,
      }),
    });
    expect(((await token.json()) as { error: string }).error).toBe('invalid_grant');
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
