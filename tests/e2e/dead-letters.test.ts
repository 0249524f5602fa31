import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli';
import type { DeadLetter } from '../../functions/local-dead-letters';
import { startLocalServers } from '../../functions/serve';
import { meetingIdOf } from '../../functions/use-cases/ingest-email';
import { fixtureBytes, fixturePath } from '../support/fixtures';

const demoMeetingId = meetingIdOf('<20261117214210.4471.demo@mail.northwind-sales.example>');

describe('dead letters on the local stack (followthrough failed, followthrough retry)', () => {
  let data: string;
  let lines: string[];

  /** The CLI in this process, on the test's data dir; what it printed is in `lines`. */
  const cli = async (...argv: string[]): Promise<number> => {
    lines = [];
    return main([...argv, '--data', data], (line) => lines.push(line));
  };
  const failed = async (): Promise<DeadLetter[]> => {
    expect(await cli('failed', '--json')).toBe(0);
    return JSON.parse(lines.join('\n')) as DeadLetter[];
  };
  const outboxKinds = async (): Promise<string[]> => {
    await cli('outbox', '--json');
    return (JSON.parse(lines.join('\n')) as { kind: string }[]).map((m) => m.kind);
  };
  /** The scheduler's file, unreadable: what any of our own bugs looks like to the code above it. */
  const breakSchedules = () => writeFile(join(data, 'schedules.json'), '{ not json');
  const deadLetterFiles = async () => readdir(join(data, 'failed')).catch(() => []);

  beforeEach(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-dead-letters-'));
  });
  afterEach(async () => {
    await rm(data, { recursive: true, force: true });
  });

  describe('a wrap-up whose sending keeps failing', () => {
    beforeEach(async () => {
      expect(await cli('ingest', fixturePath('demo-one-on-one.eml'), '--now', '2026-11-17T21:43:00Z')).toBe(0);
      // The outbox folder is a link to a disk that is not mounted: every send fails until the link is gone.
      await symlink(join(data, 'unmounted', 'outbox'), join(data, 'outbox'));
      await cli('tick', '--to', '2026-11-17T22:14:00Z');
      await cli('tick', '--to', '+1m');
      await cli('tick', '--to', '+1m');
    });

    it('[R24] lands in the failed folder once its attempts are spent, and followthrough failed lists it', async () => {
      const letters = await failed();

      expect(letters).toEqual([
        expect.objectContaining({
          source: 'schedule',
          schedule: `wrapup-${demoMeetingId}`,
          kind: 'wrapup',
          retries: 0,
          error: expect.objectContaining({ message: expect.stringMatching(/ENOENT|ENOTDIR|EEXIST/) }),
        }),
      ]);
      await cli('failed');
      expect(lines).toContain(`  retry: followthrough retry ${letters[0]?.id}`);
    });

    it('[R24] keeps the schedule failed beside the dead letter, as EventBridge would', async () => {
      await cli('schedules', '--json');

      const schedules = JSON.parse(lines.join('\n')) as { name: string; state: string }[];
      expect(schedules.find((s) => s.name === `wrapup-${demoMeetingId}`)).toMatchObject({ state: 'failed' });
    });

    it('[R24] records no address and no note text in the dead letter', async () => {
      const [file] = await deadLetterFiles();

      const record = await readFile(join(data, 'failed', file ?? ''), 'utf8');
      expect(record).not.toMatch(/@/);
      expect(record).not.toMatch(/Bramble|Osprey|Larkspur/);
    });

    it('[R24] stays listed, with the new error, when a retry fails again', async () => {
      const [letter] = await failed();

      expect(await cli('retry', letter?.id ?? '')).toBe(1);

      expect(await failed()).toEqual([expect.objectContaining({ id: letter?.id, retries: 1 })]);
    });

    it('[R24] sends the wrap-up on retry once the cause is fixed, and leaves the list', async () => {
      const [letter] = await failed();
      await rm(join(data, 'outbox'));

      expect(await cli('retry', letter?.id ?? '')).toBe(0);

      expect(await failed()).toEqual([]);
      expect(await outboxKinds()).toEqual(['wrapup', 'wrapup']);
      await cli('schedules', '--json');
      const schedules = JSON.parse(lines.join('\n')) as { name: string; state: string }[];
      expect(schedules.find((s) => s.name === `wrapup-${demoMeetingId}`)).toMatchObject({ state: 'done' });
    });
  });

  it('[R24] refuses an id that is not one of its records, a path included', async () => {
    await expect(cli('retry', '../secrets')).rejects.toMatchObject({ field: 'id' });
  });

  describe('a weekly slot whose pages keep failing', () => {
    it('[R24] lands in the failed folder as the slot’s schedule, and followthrough retry sends its weekly mail', async () => {
      expect(await cli('ingest', fixturePath('demo-one-on-one.eml'), '--now', '2026-11-17T21:43:00Z')).toBe(0);
      await cli('tick', '--to', '2026-11-17T22:14:00Z');
      await cli('schedules', '--json');
      const slot = (JSON.parse(lines.join('\n')) as { name: string; nextAt?: string }[]).find((s) =>
        s.name.startsWith('weekly-s'),
      );
      // The outbox becomes a link to a disk that is not mounted: every page of the slot fails to send.
      await rm(join(data, 'outbox'), { recursive: true, force: true });
      await symlink(join(data, 'unmounted', 'outbox'), join(data, 'outbox'));
      await cli('tick', '--to', slot?.nextAt ?? '');
      await cli('tick', '--to', '+1m');
      await cli('tick', '--to', '+1m');
      const letter = (await failed()).find((l) => l.source === 'schedule' && l.kind === 'weekly-slot');
      await rm(join(data, 'outbox'));

      const retried = await cli('retry', letter?.id ?? '');

      expect(letter).toMatchObject({ source: 'schedule', schedule: slot?.name, kind: 'weekly-slot' });
      expect(retried).toBe(0);
      expect((await outboxKinds()).filter((kind) => kind === 'weekly')).toEqual(['weekly', 'weekly']);
    });
  });

  describe('ingest that fails on our side in the running server', () => {
    let servers: Awaited<ReturnType<typeof startLocalServers>> | undefined;

    const serve = async () => {
      servers = await startLocalServers({ dataDir: data, port: 0, smtpPort: 0, tickMs: 60_000, log: () => {} });
      return servers;
    };
    const stop = async () => {
      await servers?.close();
      servers = undefined;
    };
    afterEach(stop);

    it('[R24] answers SMTP with a temporary failure, keeps the mail as a dead letter, and ingests it on retry', async () => {
      const running = await serve();
      await breakSchedules();
      const transport = createTransport({ host: '127.0.0.1', port: running.smtpPort, secure: false, ignoreTLS: true });

      const sending = transport.sendMail({
        envelope: { from: 'priya.raman@northwind-sales.example', to: ['notes@followthrough.example'] },
        raw: Buffer.from(fixtureBytes('demo-one-on-one.eml')),
      });

      await expect(sending).rejects.toMatchObject({ responseCode: 451 });
      await stop();
      const [letter] = await failed();
      expect(letter).toMatchObject({ source: 'smtp', rawKey: expect.stringMatching(/\.eml$/) });
      await rm(join(data, 'schedules.json'));
      expect(await cli('retry', letter?.id ?? '')).toBe(0);
      expect(await failed()).toEqual([]);
      await cli('items', '--json');
      expect((JSON.parse(lines.join('\n')) as { meetingId: string }[]).map((i) => i.meetingId)).toEqual(
        Array(5).fill(demoMeetingId),
      );
    });

    it('[R24] answers the webhook 500, keeps the notes as a dead letter, and ingests them on retry', async () => {
      const running = await serve();
      await breakSchedules();
      const body = JSON.stringify({
        id: 'notes-dead-letter',
        subject: '1:1 Sam / Ana',
        date: '2026-11-24',
        attendees: [{ email: 'sam.okafor@hooli.example' }, { email: 'ana.lopes@hooli.example' }],
        notes: 'Action items\n- Ana: send the Hooli pilot summary by Friday\n',
      });
      const id = `msg_${randomUUID()}`;
      const at = new Date();

      const response = await fetch(`${running.url}/webhooks/notes`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(running.stack.config.webhookSecret).sign(id, at, body),
        },
        body,
      });

      expect(response.status).toBe(500);
      await stop();
      const [letter] = await failed();
      expect(letter).toMatchObject({ source: 'webhook', rawKey: expect.any(String) });
      await rm(join(data, 'schedules.json'));
      expect(await cli('retry', letter?.id ?? '')).toBe(0);
      expect(await failed()).toEqual([]);
      await cli('items', '--json');
      expect((JSON.parse(lines.join('\n')) as { text: string }[]).map((i) => i.text)).toEqual([
        expect.stringMatching(/Hooli pilot summary/),
      ]);
    });
  });
});
