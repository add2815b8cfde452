import { parseArgs } from 'node:util';
import { buildCipher, type CanvasCalApp, createApp, type ProcessRole } from './app.ts';
import { type Config, ConfigError, parseConfig } from './config.ts';
import { generateKey } from './crypto/key-ring.ts';
import { openDatabase } from './db/client.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { migrate } from './db/migrate.ts';
import { rotateSecrets } from './db/secret-rotation.ts';
import { runDemo } from './demo.ts';
import { runEmulator } from './emulate.ts';
import { createLogger } from './logging.ts';

const USAGE = `Usage: canvascal <command>

Commands:
  serve [--no-workers]   run the HTTP API (and, unless --no-workers, the background workers)
  worker                 run only the background workers (production: as many as you like)
  migrate                apply database migrations and exit
  keys generate          print a new CANVASCAL_ENCRYPTION_KEYS value
  keys rotate            re-encrypt every stored token under the first key of the ring
  demo                   run the story end to end against the built-in emulators
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
  let config: Config;
  try {
    config = parseConfig(env, { isTty: Boolean(process.stdout.isTTY) });
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
      return runUntilSignalled(config, values['no-workers'] ? 'api' : 'all');
    }
    case 'worker':
      return runUntilSignalled(config, 'worker');
    case 'migrate':
      return runMigrate(config);
    case 'keys':
      return runKeys(config, rest);
    case 'demo':
      return runDemo();
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
  } finally {
    await db.close();
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

async function runUntilSignalled(config: Config, role: ProcessRole): Promise<number> {
  const app: CanvasCalApp = await createApp({ config, role });
  const address = await app.listen();
  if (address) app.logger.info({ address, role }, `CanvasCal is listening on ${address}`);
  else app.logger.info({ role }, 'CanvasCal worker started');

  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, 'shutting down: draining jobs and closing connections');
      // A drain that hangs must not keep a stopped container alive forever.
      const deadline = setTimeout(() => {
        app.logger.error('shutdown took too long; exiting');
        resolveExit(1);
      }, config.shutdownTimeoutMs + 5_000);
      deadline.unref();
      app
        .close()
        .then(() => resolveExit(0))
        .catch((error: unknown) => {
          app.logger.error({ err: error }, 'shutdown failed');
          resolveExit(1);
        });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
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
