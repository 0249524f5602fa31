import { type LocalApp, startHttpServer } from './adapters/local/http-server';
import { startSmtpInbox } from './adapters/local/smtp-inbox';
import { ENV } from './config/env';
import { InvalidInputError } from './domain/errors';
import type { IngestResult } from './use-cases/ingest-email';
import { type LocalStack, openLocalStack } from './wiring';

/** An ingest outcome as one log line: ids and fixed reasons, never an address or a subject (issue 7, R26). */
function outcomeLine(result: IngestResult): string {
  switch (result.outcome) {
    case 'ingested':
    case 'duplicate':
    case 'unverified':
      return `${result.outcome} (meeting ${result.meeting.id})`;
    case 'ignored':
    case 'dropped':
    case 'reply-refused':
      return `${result.outcome} (${result.reason})`;
    case 'reply':
      return `reply to ${result.repliedRef}: ${result.applied.length} changed, ${result.refused.length} refused`;
  }
}

export interface ServeOptions {
  dataDir: string;
  port: number;
  smtpPort: number;
  /** How often the schedules are checked against the wall clock. */
  tickMs?: number;
  log?: (line: string) => void;
}

/**
 * `followthrough serve` (npm start): the whole product on 127.0.0.1 — the webhook, action pages and outbox page
 * over HTTP, the inbox over SMTP (notes and replies, as SES receives them), and the schedules firing on the wall
 * clock through the same handler EventBridge Scheduler invokes on AWS.
 */
export async function startLocalServers(options: ServeOptions) {
  const log = options.log ?? console.log;
  // The links in the mails must lead back to this server on whatever port it got (`--port`, or 0 in tests), so
  // the HTTP server listens before the stack is configured; an explicit FOLLOWTHROUGH_BASE_URL (a tunnel, a
  // proxy) still wins. Until the stack is open, a request fails as any internal error does.
  let opened: LocalStack | undefined;
  const app = (): LocalApp => {
    if (opened === undefined) throw new Error('followthrough is still starting');
    return opened.app;
  };
  const http = await startHttpServer(
    {
      receiveWebhook: (request) => app().receiveWebhook(request),
      previewAction: (token) => app().previewAction(token),
      applyAction: (token) => app().applyAction(token),
      undoAction: (token) => app().undoAction(token),
      previewUnsubscribe: (token) => app().previewUnsubscribe(token),
      applyUnsubscribe: (token, request) => app().applyUnsubscribe(token, request),
      listOutbox: () => app().listOutbox(),
      readOutboxMessage: (name) => app().readOutboxMessage(name),
    },
    { port: options.port, host: '127.0.0.1' },
  );
  const env = { ...process.env, [ENV.baseUrl]: process.env[ENV.baseUrl] ?? http.url };
  const stack = await openLocalStack(options.dataDir, env, { realTime: true }).catch(async (error: unknown) => {
    await http.close();
    throw error;
  });
  opened = stack;
  const smtp = await startSmtpInbox({
    port: options.smtpPort,
    host: '127.0.0.1',
    onMessage: async (raw) => {
      try {
        const result = await stack.ingestEmail(raw);
        log(`smtp: mail received: ${outcomeLine(result)}`);
      } catch (error) {
        // The mail was accepted and its bytes are kept; unreadable input is the sender's, not a retry case.
        if (error instanceof InvalidInputError) log(`smtp: mail refused: ${error.message}`);
        else {
          // Ours: a dead letter to retry by hand, and a temporary failure for the client, which may retry too.
          const letter = await stack.deadLetters.ingestFailed('smtp', raw, error);
          log(`smtp: ingest failed, kept as ${letter.id} (followthrough retry ${letter.id})`);
          throw error;
        }
      }
    },
  }).catch(async (error: unknown) => {
    // A taken SMTP port must not leave the HTTP server listening and the store's files locked behind the error.
    await http.close();
    await stack.close();
    throw error;
  });
  let running = Promise.resolve();
  const tick = () => {
    running = running
      .then(async () => {
        const ran = await stack.deadLetters.runDueSchedules(stack.deps.clock.now());
        for (const schedule of ran) log(`schedule ${schedule.name}: ${schedule.state}`);
      })
      .catch((error: unknown) => log(`schedules: ${error instanceof Error ? error.message : String(error)}`));
  };
  const timer = setInterval(tick, options.tickMs ?? 15_000);
  tick();
  return {
    url: http.url,
    smtpPort: smtp.port,
    stack,
    async close() {
      clearInterval(timer);
      await running;
      await Promise.all([http.close(), smtp.close()]);
      await stack.close();
    },
  };
}
