import { readFileSync } from 'node:fs';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildCoordinator } from '../../coordinator/app.ts';
import { loadCoordinatorConfig } from '../../coordinator/config.ts';
import {
  createOperator,
  createSetupToken,
  operatorCount,
} from '../../coordinator/operator/accounts.ts';
import { dashboardPlugin } from '../../coordinator/overview/plugin.ts';
import { weightsFromSharedModel } from '../../coordinator/rounds/initial-model.ts';
import {
  backupCoordinatorDatabase,
  restoreCoordinatorDatabase,
} from '../../coordinator/store/backup.ts';
import { openCoordinatorStore } from '../../coordinator/store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { dashboardConfig, dashboardDist } from '../paths.ts';
import { ensureUiBuilt } from '../ui-build.ts';

async function readPassword(): Promise<string> {
  const fromEnv = process.env.BREADCAST_OPERATOR_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY)
    throw new UsageError('set BREADCAST_OPERATOR_PASSWORD or pipe the password on stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export const coordinatorCommand: Command = {
  name: 'coordinator',
  summary: 'Run the consortium coordinator (federated rounds, model registry, operator API).',
  options: {
    database: {
      type: 'string',
      value: 'URL|FILE',
      description:
        'The coordinator database: a postgres:// URL, or a SQLite file (created if missing).',
    },
    db: {
      type: 'string',
      value: 'FILE',
      description: 'The SQLite file (the same as --database FILE).',
    },
    port: {
      type: 'string',
      value: 'N',
      description: 'Port to listen on (0 picks a free one). Default 5190.',
    },
    host: {
      type: 'string',
      value: 'ADDR',
      description: 'Address to listen on. Default 127.0.0.1.',
    },
    config: {
      type: 'string',
      value: 'FILE',
      description: 'JSON configuration file (flags and BREADCAST_COORDINATOR_* override it).',
    },
    'tls-cert': {
      type: 'string',
      value: 'FILE',
      description: 'TLS certificate (PEM); serve HTTPS with --tls-key.',
    },
    'tls-key': { type: 'string', value: 'FILE', description: 'TLS private key (PEM).' },
    'trust-proxy': {
      type: 'string',
      value: 'VALUE',
      description: 'Behind a reverse proxy: true, a hop count or the proxy address.',
    },
    backup: {
      type: 'string',
      value: 'FILE',
      description:
        'Write a backup of the database to FILE and exit (the coordinator may keep running).',
    },
    restore: {
      type: 'string',
      value: 'FILE',
      description:
        'Restore a backup FILE into --database (a new SQLite file or an empty PostgreSQL database) and exit.',
    },
    'create-operator': {
      type: 'string',
      value: 'NAME',
      description:
        'Create an operator account and exit (password from BREADCAST_OPERATOR_PASSWORD or stdin).',
    },
  },
  async run(options, io) {
    const text = (name: string) =>
      typeof options[name] === 'string' ? (options[name] as string) : undefined;
    const trustProxy = text('trust-proxy');
    let config;
    try {
      config = loadCoordinatorConfig(
        {
          database: text('database'),
          db: text('db'),
          port: text('port'),
          host: text('host'),
          tlsCert: text('tls-cert'),
          tlsKey: text('tls-key'),
          trustProxy: trustProxy === 'true' ? true : trustProxy === 'false' ? false : trustProxy,
        },
        { file: text('config') },
      );
    } catch (error) {
      throw new UsageError((error as Error).message);
    }

    const backupFile = text('backup');
    const restoreFile = text('restore');
    if (backupFile && restoreFile) throw new UsageError('--backup and --restore: one at a time');
    if (backupFile) {
      const done = await backupCoordinatorDatabase(config.database, backupFile).catch(
        (error: Error) => {
          throw new UsageError(`no backup written: ${error.message}`);
        },
      );
      io.out(`Backup written to ${done.file} (${done.format}, ${done.bytes} bytes).`);
      return 0;
    }
    if (restoreFile) {
      const done = await restoreCoordinatorDatabase(restoreFile, config.database).catch(
        (error: Error) => {
          throw new UsageError(`not restored: ${error.message}`);
        },
      );
      io.out(
        `Restored ${restoreFile}: schema ${done.schemaVersion}, ${done.shops} shops, ` +
          `${done.rounds} rounds, ${done.models} model${done.models === 1 ? '' : 's'}. ` +
          'Point the coordinator at it with --database.',
      );
      return 0;
    }

    const operatorName = text('create-operator');
    if (operatorName) {
      const password = await readPassword();
      const store = await openCoordinatorStore(config.database);
      try {
        await createOperator(store, operatorName, password);
      } catch (error) {
        throw new UsageError((error as Error).message);
      } finally {
        await store.close();
      }
      io.out(`Operator "${operatorName}" created.`);
      return 0;
    }

    try {
      await ensureUiBuilt(dashboardConfig, dashboardDist, io.err);
    } catch (error) {
      // The shop API and rounds do not need the dashboard: serve them, say how to fix it.
      io.err(`The dashboard could not be built (${(error as Error).message}); run npm run build.`);
    }
    const log = pino({ name: 'breadcast-coordinator', level: config.logLevel });
    const https = config.tlsCert
      ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey!) }
      : undefined;
    const app = await buildCoordinator({
      db: config.database,
      storeOptions: {
        poolSize: config.databasePoolSize,
        onIdleError: (error) => log.warn({ err: error }, 'database connection lost; reconnecting'),
      },
      logger: log,
      https,
      trustProxy: config.trustProxy,
      secureCookies: Boolean(https) || config.trustProxy !== false,
      maxUpdateBytes: config.maxUpdateBytes,
      initialWeights: weightsFromSharedModel(config.modelSeed),
      // Secure aggregation is offered alongside plain rounds; the operator's settings pick the mode.
      plugins: [dashboardPlugin()],
    });
    // Before the address is printed: a supervisor that stops us as soon as it reads the line
    // must still get a graceful close.
    const closed = new Promise<void>((resolve) => {
      closeWithGrace({ delay: 10_000 }, async ({ err }) => {
        if (err) log.error({ err }, 'coordinator stopping after an error');
        await app.close();
        resolve();
      });
    });
    // A night's shops connect at once: with Node's default queue of 511 pending connections,
    // the rest are dropped and retried by their kernels 1, 3, 7, 15 s later. The kernel caps the
    // queue at net.core.somaxconn.
    const address = await app.listen({ host: config.host, port: config.port, backlog: 4096 });
    io.out(`Breadcast coordinator listening on ${address}`);
    const { store } = app.coordinator;
    if ((await operatorCount(store)) === 0) {
      const token = await createSetupToken(store, new Date());
      const base = config.publicUrl ?? address;
      io.out(
        `No operator yet. Create one within 24 hours at: ${base}/dashboard/#/setup?token=${token}`,
      );
      io.out(`(or POST {"token":"${token}","name":…,"password":…} to ${base}/v1/operator/setup)`);
    }
    await closed;
    return 0;
  },
};
