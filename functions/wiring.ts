import { join } from 'node:path';
import { DynamoDbStore } from './adapters/aws/dynamodb-store';
import { ensureTable } from './adapters/aws/dynamodb-table';
import { startDynalite } from './adapters/local/dynalite-server';
import { FileClock } from './adapters/local/file-clock';
import { FileRawMailArchive } from './adapters/local/file-raw-mail';
import { FileScheduler } from './adapters/local/file-scheduler';
import { createLocalDynamoClient } from './adapters/local/local-dynamodb-client';
import { listOutbox, OutboxMailer } from './adapters/local/outbox-mailer';
import { type Config, LOCAL_DEFAULTS, loadConfig } from './config/env';
import { createScheduledSendHandler } from './handlers/scheduled-send';

/** Where the embedded stack keeps its state, under one data dir. */
function localPaths(dataDir: string) {
  return {
    dynamodb: join(dataDir, 'dynamodb'),
    raw: join(dataDir, 'raw'),
    outbox: join(dataDir, 'outbox'),
    schedules: join(dataDir, 'schedules.json'),
    clock: join(dataDir, 'clock.json'),
  };
}

export type LocalStack = Awaited<ReturnType<typeof openLocalStack>>;

/**
 * The embedded local stack — the only place that chooses adapters: the store in dynalite (persisted in the data
 * dir, spoken to through the real DynamoDB client), schedules in a file fired by `tick`, mail to an outbox of
 * `.eml` files, raw mail kept byte for byte, and a clock that only moves when told.
 */
export async function openLocalStack(dataDir: string, env: NodeJS.ProcessEnv = process.env) {
  const config: Config = loadConfig(env, LOCAL_DEFAULTS);
  const paths = localPaths(dataDir);
  const server = await startDynalite({ path: paths.dynamodb });
  const client = createLocalDynamoClient(server.endpoint);
  await ensureTable(client, config.tableName);
  const clock = new FileClock(paths.clock);
  const store = new DynamoDbStore({ client, tableName: config.tableName });
  const scheduler = new FileScheduler(paths.schedules);
  const mailer = new OutboxMailer({ dir: paths.outbox, clock });
  const archive = new FileRawMailArchive(paths.raw);
  const runScheduledJob = createScheduledSendHandler({ store, mailer, clock, config });
  return {
    config,
    paths,
    clock,
    store,
    scheduler,
    mailer,
    archive,
    runScheduledJob,
    /** What the outbox mailer has sent, oldest first. */
    listOutbox: () => listOutbox(paths.outbox),
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
