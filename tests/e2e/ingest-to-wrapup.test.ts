import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli';
import { fixturePath } from '../support/fixtures';

interface OutboxEntry {
  to: string[];
  subject: string;
  kind: string;
  file: string;
  sentAt: string;
}

/** Runs the CLI in this process, as `followthrough …` would, and returns what it printed. */
async function cli(...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(args, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

describe('ingest → tick → outbox on the local stack', () => {
  let data: string;
  beforeEach(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-e2e-'));
  });
  afterEach(async () => {
    await rm(data, { recursive: true, force: true });
  });

  const outbox = async (): Promise<OutboxEntry[]> => JSON.parse((await cli('outbox', '--json', '--data', data)).output);

  it('sends a wrap-up to each attendee with every item, owner and due date, once the schedule falls due', async () => {
    await cli('ingest', fixturePath('demo-one-on-one.eml'), '--data', data, '--now', '2026-11-17T21:43:00Z');

    await cli('tick', '--to', '+29m', '--data', data);
    expect(await outbox()).toEqual([]);
    await cli('tick', '--to', '+1m', '--data', data);
    const sent = await outbox();

    expect(sent.map((m) => m.kind)).toEqual(['wrapup', 'wrapup']);
    expect(sent.flatMap((m) => m.to).sort()).toEqual([
      'leo.martins@northwind-sales.example',
      'priya.raman@northwind-sales.example',
    ]);
    const wrapup = sent.find((m) => m.to.includes('leo.martins@northwind-sales.example'));
    const mail = await PostalMime.parse(await readFile(wrapup?.file ?? ''));
    expect(mail.subject).toMatch(/^Wrap-up: 1:1 Priya \/ Leo — Tue 17 Nov \[ft-[a-z2-7]{16}\]$/);
    expect(mail.text).toMatch(
      /1\. Send Bramble & Finch the redlined MSA[\s\S]*Owner: Leo Martins[\s\S]*Due: Thu 19 Nov/,
    );
    expect(mail.text).toMatch(
      /3\. Get the multi-year discount approved by Finance[\s\S]*Owner: Priya Raman[\s\S]*Due: Fri 20 Nov/,
    );
    expect(mail.text).toMatch(/4\. Find a new champion at Larkspur Media[\s\S]*needs a date/);
    expect(mail.text).toMatch(/5\. Set up the Bramble & Finch sandbox[\s\S]*Owner: Tomas/);
    expect(mail.text).not.toContain('Great discovery');
    expect(mail.html).toContain('Re-engage Osprey Clinics with the ROI calculator');
  });

  it('stores the items so that they can be listed by owner', async () => {
    await cli('ingest', fixturePath('demo-one-on-one.eml'), '--data', data, '--now', '2026-11-17T21:43:00Z');

    const items = JSON.parse(
      (await cli('items', '--owner', 'leo.martins@northwind-sales.example', '--json', '--data', data)).output,
    );

    expect(items.map((i: { due: string | null }) => i.due)).toEqual(['2026-11-19', '2026-11-24', null]);
  });

  it('stores and sends nothing new when the same email is ingested twice', async () => {
    await cli('ingest', fixturePath('demo-one-on-one.eml'), '--data', data, '--now', '2026-11-17T21:43:00Z');
    const again = await cli('ingest', fixturePath('demo-one-on-one.eml'), '--data', data);
    await cli('tick', '--to', '+1d', '--data', data);

    expect(again.output).toMatch(/Already ingested/);
    const items = JSON.parse((await cli('items', '--json', '--data', data)).output);
    expect(items).toHaveLength(5);
    expect((await outbox()).filter((m) => m.kind === 'wrapup')).toHaveLength(2);
  });

  it('refuses a file that is not an email with exit code 2 and keeps the raw bytes', async () => {
    const error = await cli('ingest', fixturePath('not-an-email.txt'), '--data', data).catch((e: Error) => e);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/not an email[\s\S]*raw input is kept/);
    const days = await readdir(join(data, 'raw'));
    const kept = await readdir(join(data, 'raw', days[0] ?? ''));
    expect(kept).toHaveLength(1);
  });

  it('refuses an email with an empty body and stores no meeting', async () => {
    const error = await cli('ingest', fixturePath('empty-body.eml'), '--data', data).catch((e: Error) => e);

    expect((error as Error).message).toMatch(/no text/);
    expect(JSON.parse((await cli('items', '--json', '--data', data)).output)).toEqual([]);
    expect(existsSync(join(data, 'schedules.json'))).toBe(false);
  });

  it('sends a wrap-up that says no items were found when the notes hold none', async () => {
    const ingest = await cli('ingest', fixturePath('no-items.eml'), '--data', data, '--now', '2026-11-26T01:05:00Z');
    await cli('tick', '--to', '+30m', '--data', data);
    const [wrapup] = await outbox();
    const mail = await PostalMime.parse(await readFile(wrapup?.file ?? ''));

    expect(ingest.output).toMatch(/No action items found/);
    expect(mail.text).toContain('No action items were found in these notes.');
  });

  it('does not move the clock backwards once it has been set', async () => {
    await cli('tick', '--data', data, '--now', '2026-11-20T10:00:00Z');

    await expect(cli('tick', '--data', data, '--now', '2026-11-19T10:00:00Z')).rejects.toThrow(/only moves forward/);
  });
});
