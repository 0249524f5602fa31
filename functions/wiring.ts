import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import PostalMime from 'postal-mime';
import { DynamoDbStore } from './adapters/aws/dynamodb-store';
import { ensureTable } from './adapters/aws/dynamodb-table';
import { DeadLetterFolder } from './adapters/local/dead-letter-folder';
import { startDynalite } from './adapters/local/dynalite-server';
import { FileClock } from './adapters/local/file-clock';
import { FileRawMailArchive } from './adapters/local/file-raw-mail';
import { FileScheduler } from './adapters/local/file-scheduler';
import type { LocalApp } from './adapters/local/http-server';
import { InProcessPageQueue } from './adapters/local/in-process-page-queue';
import { createLocalDynamoClient } from './adapters/local/local-dynamodb-client';
import { listOutbox, OutboxMailer } from './adapters/local/outbox-mailer';
import { type Config, ENV, LOCAL_DEFAULTS, loadConfig } from './config/env';
import { ANY_SENDER_DOMAIN } from './domain/email/allowed-senders';
import { parseSigningKeys } from './domain/links/token';
import { isWebhookSecret } from './domain/webhook-signature';
import { createScheduledSendHandler } from './handlers/scheduled-send';
import { localDeadLetters } from './local-dead-letters';
import type { Clock } from './ports/clock';
import { applyLinkAction, previewLinkAction, undoLinkAction } from './use-cases/apply-link-action';
import { applyUnsubscribe, previewUnsubscribe } from './use-cases/apply-unsubscribe';
import { type IngestDeps, ingestEmail } from './use-cases/ingest-email';
import { ingestWebhookNotes } from './use-cases/ingest-webhook';
import { receiveWebhook } from './use-cases/receive-webhook';
import { sendWeeklyPage } from './use-cases/send-weekly';

/** Where the embedded stack keeps its state, under one data dir. */
function localPaths(dataDir: string) {
  return {
    dynamodb: join(dataDir, 'dynamodb'),
    raw: join(dataDir, 'raw'),
    outbox: join(dataDir, 'outbox'),
    schedules: join(dataDir, 'schedules.json'),
    clock: join(dataDir, 'clock.json'),
    secrets: join(dataDir, 'secrets.json'),
    /** Dead letters: what failed for good, one JSON file each (`followthrough failed`, `followthrough retry`). */
    failed: join(dataDir, 'failed'),
  };
}

export type LocalStack = Awaited<ReturnType<typeof openLocalStack>>;

export interface LocalStackOptions {
  /**
   * The CLI's clock moves only when told (`tick`, `--now`); `serve` runs on the wall clock instead (never behind
   * the saved time), so that schedules fire as they would on AWS.
   */
  realTime?: boolean;
}

/**
 * The embedded local stack — the only place that chooses adapters: the store in dynalite (persisted in the data
 * dir, spoken to through the real DynamoDB client), schedules in a file fired by `tick` or `serve`, mail to an
 * outbox of `.eml` files, raw mail kept byte for byte, a clock that moves when told, and a link-signing key
 * generated for the data dir on first use.
 */
export async function openLocalStack(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  options: LocalStackOptions = {},
) {
  const paths = localPaths(dataDir);
  const loaded = loadConfig(env, {
    ...LOCAL_DEFAULTS,
    linkKeys: env[ENV.linkKeys] ?? localLinkKeys(paths.secrets),
  });
  const config: Config & { webhookSecret: string; allowedSenderDomains: readonly string[] } = {
    ...loaded,
    webhookSecret: loaded.webhookSecret ?? localWebhookSecret(dataDir, env),
    // With no SES verdicts to go on, the local stack takes mail from any domain unless told otherwise (issue 7).
    allowedSenderDomains: loaded.allowedSenderDomains ?? [ANY_SENDER_DOMAIN],
  };
  const signingKeys = parseSigningKeys(config.linkKeys);
  const server = await startDynalite({ path: paths.dynamodb });
  // As the store's client on AWS: each command's middleware resolved once (see local-dynamodb-client.ts).
  const client = createLocalDynamoClient(server.endpoint, { cacheMiddleware: true });
  await ensureTable(client, config.tableName);
  const fileClock = new FileClock(paths.clock);
  const clock: Clock = options.realTime
    ? { now: () => new Date(Math.max(Date.now(), fileClock.now().getTime())) }
    : fileClock;
  // The stack's clock, not the wall's: `tick --to` a year on sees what has expired by then.
  const store = new DynamoDbStore({
    client,
    tableName: config.tableName,
    now: () => clock.now(),
    retentionDays: config.retentionDays,
  });
  const scheduler = new FileScheduler(paths.schedules, clock);
  const mailer = new OutboxMailer({ dir: paths.outbox, clock });
  const archive = new FileRawMailArchive(paths.raw);
  const deps: IngestDeps = { store, scheduler, archive, clock, mailer, config, signingKeys };
  // A weekly slot's pages run here, as the weekly-pages Lambda runs them on AWS (a failed one fails the slot's job).
  const weeklyPages = new InProcessPageQueue((page) => sendWeeklyPage(deps, page));
  const runScheduledJob = createScheduledSendHandler({ ...deps, weeklyPages });
  // Mail given to the CLI or the local SMTP inbox has no SES verdicts: it is taken as its From says (issue 7).
  const ingestLocalMail = (raw: Uint8Array) => ingestEmail(deps, raw, { senderVerified: true });
  const deadLetters = localDeadLetters({
    folder: new DeadLetterFolder(paths.failed),
    scheduler,
    archive,
    clock,
    runScheduledJob,
    ingestMail: ingestLocalMail,
    ingestNotes: (body) => ingestWebhookNotes(deps, body),
  });
  const app: LocalApp = {
    // Senders sign with the time it is, whatever `tick` did to the stack's clock.
    receiveWebhook: async (request) => {
      const response = await receiveWebhook(
        { ...deps, webhookSecret: config.webhookSecret, signatureClock: wallClock },
        request,
      );
      // A 500 is ours and comes after the signature check: the body is kept as a dead letter for `retry`.
      if (response.status === 500) await deadLetters.ingestFailed('webhook', request.body, response.cause);
      return response;
    },
    previewAction: (token) => previewLinkAction(deps, token),
    applyAction: (token) => applyLinkAction(deps, token),
    undoAction: (token) => undoLinkAction(deps, token),
    previewUnsubscribe: (token) => previewUnsubscribe(deps, token),
    applyUnsubscribe: (token, request) => applyUnsubscribe(deps, token, request),
    listOutbox: () => listOutbox(paths.outbox),
    readOutboxMessage: async (name) => {
      const entry = (await listOutbox(paths.outbox)).find((e) => basename(e.file) === name);
      if (entry === undefined) return null;
      const email = await PostalMime.parse(await readFile(entry.file));
      return { entry, html: email.html ?? null, text: email.text ?? null };
    },
  };
  return {
    config,
    paths,
    clock: fileClock,
    deps,
    store,
    scheduler,
    mailer,
    archive,
    runScheduledJob,
    deadLetters,
    app,
    ingestEmail: ingestLocalMail,
    /** What the outbox mailer has sent, oldest first. */
    listOutbox: () => listOutbox(paths.outbox),
    async close() {
      client.destroy();
      await server.close();
    },
  };
}

const wallClock: Clock = { now: () => new Date() };

/**
 * The local webhook's Standard Webhooks secret: FOLLOWTHROUGH_WEBHOOK_SECRET when set, else the data dir's own
 * (`whsec_` + base64 of 32 random bytes), made on first use beside the link key. `followthrough webhook-secret`
 * prints it for whoever posts to the local webhook.
 */
export function localWebhookSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = env[ENV.webhookSecret]?.trim();
  if (given !== undefined && given !== '') {
    if (!isWebhookSecret(given)) {
      throw new Error(
        `Invalid configuration: ${ENV.webhookSecret}: must be whsec_ followed by base64 of 24 to 64 bytes`,
      );
    }
    return given;
  }
  return localSecret(localPaths(dataDir).secrets, 'webhookSecret', () => `whsec_${randomBytes(32).toString('base64')}`);
}

/** The data dir's own link-signing key, made on first use and kept with owner-only permissions. */
function localLinkKeys(path: string): string {
  return localSecret(path, 'linkKeys', () => `local1:${randomBytes(32).toString('base64url')}`);
}

/** One value of the data dir's secrets.json, made and added on first use; the file is owner-only. */
function localSecret(path: string, name: string, make: () => string): string {
  const secrets: Record<string, unknown> = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const saved = secrets[name];
  if (typeof saved === 'string') return saved;
  const value = make();
  mkdirSync(join(path, '..'), { recursive: true });
  // The mode applies only when the file is created; an existing one keeps the owner-only mode it was made with.
  writeFileSync(path, `${JSON.stringify({ ...secrets, [name]: value }, null, 2)}\n`, { mode: 0o600 });
  return value;
}
