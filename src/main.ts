import { parseArgs } from 'node:util';
import pino from 'pino';
import { localUserId, MCP_PATH, relayMcpStdio, serveMcpStdio } from './agent/index.ts';
import { buildCipher, type CanvasCalApp, createApp, type ProcessRole } from './app.ts';
import { type Config, ConfigError, type ConfigPurpose, parseConfig } from './config.ts';
import { generateKey } from './crypto/key-ring.ts';
import { openDatabase } from './db/client.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { rotateSecrets, SecretRotationError } from './db/secret-rotation.ts';
import { createUsersRepo } from './db/users-repo.ts';
import { runDemo } from './demo.ts';
import { runEmulator } from './emulate.ts';
import { createLocalAuth, loadOrCreateLocalAuthSecret } from './http/auth.ts';
import { createLogger } from './logging.ts';
import { QueueUnavailableError } from './queue/queue.ts';

const USAGE = `Usage: canvascal <command>

Commands:
  serve [--no-workers]   run the HTTP API (and, unless --no-workers, the background workers)
  worker                 run only the background workers (production: as many as you like)
  migrate                apply database migrations and exit
  keys generate          print a new CANVASCAL_ENCRYPTION_KEYS value
  keys rotate            re-encrypt every stored token under the first key of the ring
  demo                   run the story end to end against the built-in emulators
  mcp [--email E]        serve the LLM tools (MCP) on stdin/stdout for a desktop assistant,
                         as the embedded default's local user (default student@localhost)
  emulate google|canvas  run one emulator alone [--port N] [--host H]
  help                   show this text

Configuration comes from the environment; see the README's table.`;

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (command === 'emulate') return runEmulator(rest);
  if (command === 'keys' && rest[0] === 'generate') {
    // Needs no configuration: in production it makes the value the configuration requires.
    // Printed alone so that `export CANVASCAL_ENCRYPTION_KEYS=$(canvascal keys generate)` works.
    console.log(generateKey().entry);
    return 0;
  }
  // Each command is held only to what it uses: migrating needs no Google client or JWT secret.
  const purpose: ConfigPurpose = command === 'migrate' ? 'migrate' : command === 'keys' ? 'keys' : 'service';
  let config: Config;
  try {
    config = parseConfig(env, { isTty: Boolean(process.stdout.isTTY), purpose });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: { 'no-workers': { type: 'boolean', default: false } },
      });
      return runRole(config, values['no-workers'] ? 'api' : 'all');
    }
    case 'worker':
      return runRole(config, 'worker');
    case 'migrate':
      return runMigrate(config);
    case 'keys':
      return runKeys(config, rest);
    case 'demo':
      return runDemo();
    case 'mcp':
      return runMcp(config, rest);
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

async function runKeys(config: Config, args: string[]): Promise<number> {
  if (args[0] !== 'rotate') {
    console.error('Usage: canvascal keys generate | keys rotate');
    return 1;
  }
  const logger = createLogger(config.log);
  const cipher = await buildCipher(config, logger);
  const db = await openDatabase(config.database);
  try {
    await migrate(db);
    const report = await rotateSecrets(db, (envelope, binding) => cipher.reseal(envelope, binding), {
      onBatch: (column, batch) => logger.info({ column, ...batch }, 'rotated a batch'),
    });
    logger.info(report, 'every stored secret is now encrypted with the first key of the ring');
    return 0;
  } catch (error) {
    if (!(error instanceof SecretRotationError)) throw error;
    console.error(`Key rotation stopped: ${error.message}`);
    return 1;
  } finally {
    await db.close();
  }
}

/**
 * The tools on stdin/stdout for the embedded default's local user. Stdout belongs to the
 * protocol, so logs go to stderr. When `npm start` already owns the data dir, this relays to
 * it over /mcp instead of opening the database a second time.
 */
async function runMcp(config: Config, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string', default: 'student@localhost' } },
  });
  if (config.mcpAccessToken) return relayOrExplain(config, config.mcpAccessToken, undefined);
  if (config.auth.kind !== 'local') {
    console.error(
      `\`canvascal mcp\` acts as the local user of the embedded default, and this CanvasCal verifies Supabase tokens: set CANVASCAL_ACCESS_TOKEN to the student's access token and PUBLIC_URL to the service, or connect the assistant over HTTP to ${config.http.publicUrl}${MCP_PATH} (README, "LLM tools (MCP)").`,
    );
    return 2;
  }
  const email = values.email.toLowerCase();
  const userId = localUserId(email);
  const logger = createLogger(config.log, pino.destination(2));
  let app: CanvasCalApp;
  try {
    app = await createApp({ config, logger, role: 'all' });
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    const token = await createLocalAuth(await loadOrCreateLocalAuthSecret(config.dataDir)).issue({
      id: userId,
      email,
    });
    logger.info(
      { service: config.http.publicUrl },
      'the data dir belongs to a running CanvasCal: relaying to it',
    );
    return relayOrExplain(config, token, error.message);
  }
  try {
    await createUsersRepo(app.db.orm).ensure(userId, email);
    // Serve the API too when the port is free, so the links in the tools' answers (connect
    // Google, connect Canvas) open; a port in use only means those links are elsewhere.
    await app.listen().catch((error: unknown) => logger.warn({ err: error }, 'HTTP API not started'));
    await serveMcpStdio({ deps: app.agent, userId, publicUrl: config.http.publicUrl, logger });
    return 0;
  } finally {
    await app.close();
  }
}

/** Stdio relayed to the service's /mcp with `token`; one line for the operator when it does not answer. */
async function relayOrExplain(config: Config, token: string, why: string | undefined): Promise<number> {
  try {
    await relayMcpStdio({ serviceUrl: config.http.publicUrl, token });
    return 0;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `${why ? `${why}\n` : ''}CanvasCal does not answer at ${config.http.publicUrl}${MCP_PATH} (${reason}): start it (npm start), or set PUBLIC_URL to where it listens${why ? '' : ' and CANVASCAL_ACCESS_TOKEN to a valid token'}.`,
    );
    return 1;
  }
}

async function runMigrate(config: Config): Promise<number> {
  const logger = createLogger(config.log);
  const db = await openDatabase(config.database);
  try {
    const { applied } = await migrate(db);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database already up to date');
    return 0;
  } finally {
    await db.close();
  }
}

/**
 * Why this process cannot do its part, in sentences for the operator. Separate API and worker
 * processes meet only through Redis, and each would start its own emulators.
 */
function roleProblems(config: Config, role: ProcessRole): string[] {
  if (role === 'all') return [];
  const command = role === 'api' ? '`canvascal serve --no-workers`' : '`canvascal worker`';
  const problems: string[] = [];
  if (config.queue.kind === 'in-process') {
    problems.push(
      role === 'api'
        ? `${command} needs REDIS_URL: without it, syncs wait in this process's memory and no worker can ever run them. Set REDIS_URL (e.g. redis://127.0.0.1:6379) here and in the workers, or run \`canvascal serve\` to run the API and the workers in one process.`
        : `${command} needs REDIS_URL: without it, it has no queue to take jobs from. Set REDIS_URL (e.g. redis://127.0.0.1:6379) to the Redis the API uses, or run \`canvascal serve\` to run the API and the workers in one process.`,
    );
  }
  if (config.emulators) {
    problems.push(
      `${command} cannot run with the built-in emulators: each process would start its own Google and Canvas, and they would not share users or grants. Run \`canvascal serve\` for the demo, or configure Google (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, with CANVASCAL_EMULATORS unset or off; for a staging setup add GOOGLE_API_URL, e.g. a shared \`canvascal emulate google\`).`,
    );
  }
  return problems;
}

async function runRole(config: Config, role: ProcessRole): Promise<number> {
  const problems = roleProblems(config, role);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    return 2;
  }
  try {
    return await runUntilSignalled(config, role);
  } catch (error) {
    if (!(error instanceof QueueUnavailableError) || config.queue.kind !== 'bullmq') throw error;
    console.error(
      `Cannot reach Redis at ${redisAddress(config.queue.redisUrl)} (REDIS_URL): start Redis there, or set REDIS_URL to where it runs.`,
    );
    return 1;
  }
}

/** The Redis URL without its user name and password, for a message. */
function redisAddress(url: string): string {
  if (!URL.canParse(url)) return 'the address in REDIS_URL';
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

async function runUntilSignalled(config: Config, role: ProcessRole): Promise<number> {
  const app: CanvasCalApp = await createApp({ config, role });
  if (config.queue.kind === 'bullmq' && role !== 'api') {
    // A worker with no Redis would sit idle looking healthy; find out now, while someone is watching.
    await app.queue.ping().catch(async (error: unknown) => {
      await app.close().catch(() => {});
      throw error;
    });
  }
  const address = await app.listen();
  if (address) app.logger.info({ address, role }, `CanvasCal is listening on ${address}`);
  else app.logger.info({ role }, 'CanvasCal worker started');

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      // A Ctrl-C reaches both the `canvascal` launcher and this process, and the launcher
      // passes it on: the second copy is the same request, not a reason to die mid-drain.
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, 'shutting down: draining jobs and closing connections');
      let finished = false;
      const finish = (code: number) => {
        if (finished) return;
        finished = true;
        clearTimeout(deadline);
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        process.off('SIGHUP', stop);
        app.logger.info({ exitCode: code }, code === 0 ? 'stopped' : 'stopped with errors');
        resolveExit(code);
      };
      // A drain that hangs must not keep a stopped container alive forever.
      const deadline = setTimeout(() => {
        app.logger.error('shutdown took too long; exiting');
        finish(1);
        // Whatever hung may hold the event loop open; this timer fires only if it does.
        setTimeout(() => process.exit(1), 1_000).unref();
      }, config.shutdownTimeoutMs + 5_000);
      deadline.unref();
      app
        .close()
        .then(() => finish(0))
        .catch((error: unknown) => {
          app.logger.error({ err: error }, 'shutdown failed');
          finish(1);
        });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', stop);
  });
}

const isEntry =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntry) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // An expected refusal is a sentence for the operator; anything else is a bug with its stack.
      if (error instanceof DataDirInUseError) console.error(error.message);
      else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exitCode = 1;
    },
  );
}
