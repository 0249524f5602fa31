import { Console } from 'node:console';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { createTransport } from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createActionLinksHandler } from '../../functions/handlers/action-links';
import { createDeliveryFeedbackHandler } from '../../functions/handlers/delivery-feedback';
import { createScheduledSendLambda } from '../../functions/handlers/scheduled-send';
import { createSesInboundHandler } from '../../functions/handlers/ses-inbound';
import { createWebhookHandler } from '../../functions/handlers/webhook';
import { startLocalServers } from '../../functions/serve';
import { type AwsWorld, fixtureEvent, lambdaContext, startAwsWorlds } from '../support/aws-world';

const loop = join(import.meta.dirname, '../fixtures/emails/loop');
const notes = readFileSync(join(loop, '01-dana-marcus-nov12.eml'));
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/**
 * What must never reach a log line (R26): the people of the run and the words of their notes — every address,
 * the names, the subject and phrases of the items. Logs are kept longer and read more widely than the table.
 */
const needles = [
  'dana.whitfield@acme-sales.example',
  'marcus.reid@acme-sales.example',
  'acme-sales.example',
  'Whitfield',
  'Marcus Reid',
  'Northwind',
  'MAP',
  'ana.lopes@hooli-webhook.example',
  'sam.okafor@hooli-webhook.example',
  'Okafor',
  'renewal deck',
  'jordan.lee@example.com',
];
const needlePattern = new RegExp(needles.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');

/** A Powertools logger at DEBUG, as a function would log with the level turned all the way up, writing to `lines`. */
function capturingLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = new Logger({ serviceName: 'followthrough', logLevel: 'DEBUG' });
  // The logger writes through its own Console; pointing it at the sink is how a test reads what CloudWatch would.
  Object.assign(logger, { console: new Console({ stdout: sink, stderr: sink }) });
  return logger;
}

/** Everything written to the process's console and streams while `run` runs: a stray console.log counts too. */
async function capturingProcess<T>(lines: string[], run: () => Promise<T>): Promise<T> {
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ''}` : String(a))).join(' '));
    }),
  );
  const streams = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }),
  );
  try {
    return await run();
  } finally {
    for (const spy of [...spies, ...streams]) spy.mockRestore();
  }
}

const offending = (lines: string[]) => lines.filter((line) => needlePattern.test(line));

describe('[R26] no note bodies or addresses in the logs', () => {
  describe('on the AWS handlers', () => {
    let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
    let world: AwsWorld;
    const lines: string[] = [];

    beforeAll(async () => {
      worlds = await startAwsWorlds();
      world = await worlds.world('2026-11-12T21:00:03Z');
      const logger = capturingLogger(lines);
      const receipt = fixtureEvent<{ Records: Array<{ ses: { mail: { messageId: string } } }> }>('ses-receipt.json');
      const inbound = createSesInboundHandler({
        ingest: world.deps,
        inboundPrefix: 'inbound/',
        persistenceStore: world.persistenceStore,
        logger,
      });
      const receive = async (messageId: string, bytes: Uint8Array) => {
        world.putObject(`inbound/${messageId}`, bytes);
        const event = structuredClone(receipt);
        for (const record of event.Records) record.ses.mail.messageId = messageId;
        return inbound(event, lambdaContext());
      };
      const webhook = createWebhookHandler({ ingest: world.deps, secret, logger });
      const sample = fixtureEvent<{ headers: Record<string, string>; body: string }>('http-api-webhook.json');
      const post = (body: string, key = secret) => {
        const at = world.clock.now();
        return webhook({
          ...structuredClone(sample),
          body,
          headers: {
            ...sample.headers,
            'webhook-id': `msg_${body.length}_${key.length}`,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': new Webhook(key).sign(`msg_${body.length}_${key.length}`, at, body),
          },
        });
      };

      await capturingProcess(lines, async () => {
        // Notes, an unreadable mail and a spoofed copy through SES; notes, a bad body and a forged signature by webhook.
        await receive('notes-1', notes);
        await receive('hostile-1', Buffer.from('From: marcus.reid@acme-sales.example\r\n\r\n\u0000\u0000'));
        await post(
          JSON.stringify({
            id: 'hooli-1',
            date: '2026-11-12',
            attendees: [
              { email: 'sam.okafor@hooli-webhook.example', name: 'Sam Okafor' },
              { email: 'ana.lopes@hooli-webhook.example', name: 'Ana Lopes' },
            ],
            notes: '- Ana: send the renewal deck to Sam Okafor by Friday',
          }),
        );
        await post(JSON.stringify({ date: '2026-11-12', attendees: [{ email: 'sam.okafor@hooli-webhook' }] }));
        await post(
          '{"notes": "renewal deck for ana.lopes@hooli-webhook.example"}',
          'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        );
        // The wrap-up fires, a Done link is followed, a reply comes back, a bounce arrives.
        world.clock.set('2026-11-12T21:30:04Z');
        const [meeting] = (await world.store.listMeetings()).items.filter((m) => m.attendees.length === 2);
        const firing = fixtureEvent<{ job: { meetingId: string } }>('scheduler-wrapup.json');
        firing.job.meetingId = meeting?.id ?? '';
        await createScheduledSendLambda({ outgoing: world.deps, persistenceStore: world.persistenceStore, logger })(
          firing,
          lambdaContext(),
        );
        const [wrapup] = await world.sentMail();
        const token = /\/a\/([A-Za-z0-9_.-]+)/.exec(wrapup?.email.text ?? '')?.[1] ?? 'missing';
        const links = createActionLinksHandler({ links: world.deps, baseUrl: world.deps.config.baseUrl, logger });
        const link = fixtureEvent<{ rawPath: string; requestContext: { http: { method: string } } }>(
          'http-api-action-link.json',
        );
        for (const [path, method] of [
          [`/a/${token}`, 'GET'],
          [`/a/${token}`, 'POST'],
          [`/a/${token}x`, 'POST'],
        ] as const) {
          const event = structuredClone(link);
          event.rawPath = path;
          event.requestContext.http.method = method;
          await links(event);
        }
        const reply = [
          'From: Marcus Reid <marcus.reid@acme-sales.example>',
          'To: notes@followthrough.example',
          `Subject: Re: ${wrapup?.email.subject ?? ''}`,
          'Date: Fri, 13 Nov 2026 09:00:00 -0500',
          'Message-ID: <reply-1@mail.acme-sales.example>',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'drop 2',
          'and send the MAP to Northwind',
          '',
        ].join('\r\n');
        await receive('reply-1', Buffer.from(reply));
        await createDeliveryFeedbackHandler({ feedback: world.deps, logger })(
          fixtureEvent('sns-ses-feedback-bounce.json'),
        );
      });
    });
    afterAll(async () => {
      await worlds.close();
    });

    it('[R26] logs what happened at every step of the run', () => {
      const text = lines.join('\n');

      for (const message of [
        'inbound mail processed',
        'webhook answered',
        'scheduled job done',
        'action link',
        'delivery feedback',
      ]) {
        expect(text).toContain(message);
      }
    });

    it('[R26] writes no address, name, subject or note text to any log line of the run', () => {
      expect(lines.length).toBeGreaterThan(8);
      expect(offending(lines)).toEqual([]);
    });

    it('[R26] the search finds a line that does carry an address, so it can fail', () => {
      expect(offending([...lines, '{"level":"INFO","to":"marcus.reid@acme-sales.example"}'])).toHaveLength(1);
    });
  });

  describe('on the local servers (npm start)', () => {
    const lines: string[] = [];
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'followthrough-logs-'));
      await capturingProcess(lines, async () => {
        const servers = await startLocalServers({
          dataDir,
          port: 0,
          smtpPort: 0,
          tickMs: 60_000,
          log: (line) => lines.push(line),
        });
        try {
          const smtp = createTransport({ host: '127.0.0.1', port: servers.smtpPort, secure: false, ignoreTLS: true });
          await smtp.sendMail({
            envelope: { from: 'dana.whitfield@acme-sales.example', to: ['notes@followthrough.local'] },
            raw: notes,
          });
          await smtp
            .sendMail({
              envelope: { from: 'marcus.reid@acme-sales.example', to: ['notes@followthrough.local'] },
              raw: 'Subject: MAP for Northwind\r\n\r\nrenewal deck',
            })
            .catch(() => undefined);
          smtp.close();
          const body = '{"notes": "renewal deck for ana.lopes@hooli-webhook.example"}';
          await fetch(`${servers.url}/webhooks/notes`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
        } finally {
          await servers.close();
        }
      });
    });
    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    it('[R26] says what became of each mail without naming its sender or its notes', () => {
      expect(lines.some((line) => /smtp: mail received: ingested/.test(line))).toBe(true);
      expect(offending(lines)).toEqual([]);
    });
  });
});
