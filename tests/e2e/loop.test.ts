import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli';
import { fixturePath } from '../support/fixtures';

interface OutboxEntry {
  to: string[];
  subject: string;
  kind: string;
  file: string;
  sentAt: string;
}

interface ItemJson {
  meetingId: string;
  seq: number;
  text: string;
  status: string;
  owner: string | null;
}

const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';

async function cli(...args: string[]): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const code = await main(args, (line) => lines.push(line));
  return { code, output: lines.join('\n') };
}

/** A reply as Gmail writes it: the new text on top, the mail it answers quoted below. */
function reply(options: { from: string; name: string; to: Email; body: string; date: string; id: string }): string {
  const quoted = (options.to.text ?? '')
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
  return [
    `From: ${options.name} <${options.from}>`,
    'To: followthrough <notes@followthrough.example>',
    `Subject: Re: ${options.to.subject}`,
    `Date: ${options.date}`,
    `Message-ID: <${options.id}@mail.acme-sales.example>`,
    `In-Reply-To: ${options.to.messageId}`,
    `References: ${options.to.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="utf-8"',
    '',
    options.body,
    '',
    `On Thu, Nov 12, 2026 at 4:20 PM followthrough <notes@followthrough.example> wrote:`,
    quoted,
    '',
  ].join('\r\n');
}

/**
 * The loop of the issue, on the CLI, in one data dir: meeting 1 → wrap-up; a reply `done 1` → confirmation;
 * another series; meeting 2 → the digest the morning of meeting 3; Monday → weekly digests and the roll-up.
 * Each step is its own test, in order, asserting on the parsed .eml files the step added to the outbox.
 */
describe('the follow-up loop on the CLI', () => {
  let data: string;
  let seen = new Set<string>();

  const outbox = async (): Promise<OutboxEntry[]> => JSON.parse((await cli('outbox', '--json', '--data', data)).output);
  /** The mails sent since the last call, parsed. */
  const newMail = async (): Promise<Array<OutboxEntry & { email: Email }>> => {
    const fresh = (await outbox()).filter((m) => !seen.has(m.file));
    seen = new Set([...seen, ...fresh.map((m) => m.file)]);
    return Promise.all(fresh.map(async (m) => ({ ...m, email: await PostalMime.parse(await readFile(m.file)) })));
  };
  const items = async (): Promise<ItemJson[]> => JSON.parse((await cli('items', '--json', '--data', data)).output);
  const only = <T extends { kind: string; to: string[] }>(mails: T[], kind: string, to: string): T => {
    const found = mails.filter((m) => m.kind === kind && m.to.includes(to));
    expect(found, `${kind} to ${to}`).toHaveLength(1);
    return found[0] as T;
  };

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-loop-'));
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('1. meeting 1 → tick → a wrap-up to each attendee, every item with its own Done link', async () => {
    const ingest = await cli(
      'ingest',
      fixturePath('loop/01-dana-marcus-nov12.eml'),
      '--data',
      data,
      '--now',
      '2026-11-12T21:00:00Z',
    );
    expect(ingest.output).toMatch(/Next 1:1 2026-11-19 \(from the notes\)/);
    await cli('tick', '--to', '+30m', '--data', data);

    const sent = await newMail();
    expect(sent.map((m) => m.kind)).toEqual(['wrapup', 'wrapup']);
    const toMarcus = only(sent, 'wrapup', marcus).email;
    const toDana = only(sent, 'wrapup', dana).email;
    expect(toMarcus.text).toMatch(/1\. Send Initech the revised renewal quote/);
    expect(toMarcus.text).toMatch(/2\. Introduce Marcus to the Globex VP of Operations/);
    const links = (email: Email) =>
      [...(email.text ?? '').matchAll(/Done: (http:\/\/127\.0\.0\.1:8787\/a\/\S+)/g)].map((m) => m[1]);
    expect(links(toMarcus)).toHaveLength(2);
    // Signed for each recipient: the same item's link differs between the two mails.
    expect(links(toMarcus)[0]).not.toBe(links(toDana)[0]);
  });

  it('2. a reply "done 1" from Marcus → item 1 done and a confirmation to Marcus', async () => {
    const [wrapup] = (await outbox()).filter((m) => m.kind === 'wrapup' && m.to.includes(marcus));
    const original = await PostalMime.parse(await readFile(wrapup?.file ?? ''));
    const file = join(data, 'reply-done-1.eml');
    await writeFile(
      file,
      reply({
        from: marcus,
        name: 'Marcus Reid',
        to: original,
        body: 'done 1\n\nThanks!\nMarcus',
        date: 'Thu, 12 Nov 2026 17:40:00 -0500',
        id: 'reply-1',
      }),
    );

    const ingest = await cli('ingest', file, '--data', data, '--now', '2026-11-12T22:40:00Z');

    expect(ingest.output).toMatch(/1\. Send Initech the revised renewal quote — marked done/);
    const sent = await newMail();
    expect(sent.map((m) => m.kind)).toEqual(['confirmation']);
    const confirmation = only(sent, 'confirmation', marcus).email;
    expect(confirmation.text).toMatch(/Send Initech the revised renewal quote[\s\S]*marked done/);
    expect(confirmation.inReplyTo).toBe('<reply-1@mail.acme-sales.example>');
    const stored = await items();
    expect(stored.find((i) => i.text.startsWith('Send Initech'))?.status).toBe('done');
    expect(stored.find((i) => i.text.startsWith('Introduce Marcus'))?.status).toBe('open');
  });

  it('3. a reply from someone who was not at the 1:1 changes nothing and gets nothing back', async () => {
    const [wrapup] = (await outbox()).filter((m) => m.kind === 'wrapup' && m.to.includes(marcus));
    const original = await PostalMime.parse(await readFile(wrapup?.file ?? ''));
    const file = join(data, 'reply-stranger.eml');
    await writeFile(
      file,
      reply({
        from: priya,
        name: 'Priya Natarajan',
        to: original,
        body: 'done 2',
        date: 'Thu, 12 Nov 2026 17:45:00 -0500',
        id: 'reply-stranger',
      }),
    );

    const ingest = await cli('ingest', file, '--data', data, '--now', '2026-11-12T22:45:00Z');

    expect(ingest.output).toMatch(/not at that 1:1: nothing changed, nothing sent/);
    expect(await newMail()).toEqual([]);
    expect((await items()).find((i) => i.text.startsWith('Introduce Marcus'))?.status).toBe('open');
  });

  it('4. meeting 2 of the series → tick to the morning of meeting 3 → a digest listing what is still open', async () => {
    await cli('ingest', fixturePath('loop/02-dana-priya-nov17.eml'), '--data', data, '--now', '2026-11-17T16:10:00Z');
    const second = await cli(
      'ingest',
      fixturePath('loop/03-dana-marcus-nov19.eml'),
      '--data',
      data,
      '--now',
      '2026-11-19T21:15:00Z',
    );
    // The notes name no next 1:1, so the series' weekly cadence does: Thu 26 Nov, 08:00 New York time.
    expect(second.output).toMatch(
      /Next 1:1 2026-11-26 \(from the cadence\); pre-meeting digests at 2026-11-26T13:00:00.000Z/,
    );
    await newMail();

    await cli('tick', '--to', '2026-11-26T13:00:00Z', '--data', data);

    const sent = await newMail();
    const digest = only(
      sent.filter((m) => m.subject.includes('26 Nov')),
      'digest',
      marcus,
    ).email;
    only(
      sent.filter((m) => m.subject.includes('26 Nov')),
      'digest',
      dana,
    );
    const text = digest.text ?? '';
    // Still open from meeting 1: the intro, stalled (open across meetings 2 and 3, and overdue).
    expect(text).toMatch(/Introduce Marcus to the Globex VP of Operations/);
    expect(text).toMatch(/stalled/i);
    // From meeting 2: the QBR booking, two days overdue; the budget, not yet due.
    expect(text).toMatch(/Book the Initech QBR for early December/);
    expect(text).toMatch(/overdue/i);
    expect(text).toMatch(/Approve Marcus's conference budget/);
    // Done items are gone; the agenda the notes set is there.
    expect(text).not.toMatch(/Send Initech the revised renewal quote/);
    expect(text).toMatch(/Walk through the Q1 territory split/);
    const stalledBlock = text.slice(text.search(/stalled/i));
    expect(stalledBlock).toMatch(/Introduce Marcus/);
  });

  it('5. tick to Monday → a weekly digest for each owner, and the manager’s roll-up', async () => {
    await cli('tick', '--to', '2026-11-30T13:00:00Z', '--data', data);

    const sent = await newMail();
    const weeklyMarcus = only(sent, 'weekly', marcus).email.text ?? '';
    const weeklyDana = only(sent, 'weekly', dana).email.text ?? '';
    const weeklyPriya = only(sent, 'weekly', priya).email.text ?? '';
    const rollup = only(sent, 'rollup', dana).email.text ?? '';
    expect(sent.filter((m) => m.kind === 'rollup')).toHaveLength(1);

    expect(weeklyMarcus).toMatch(/Book the Initech QBR for early December/);
    expect(weeklyMarcus).not.toMatch(/Introduce Marcus|Send Initech the revised/);
    // Overdue first: the intro (due 13 Nov) before the budget (due 4 Dec).
    expect(weeklyDana.indexOf('Introduce Marcus')).toBeGreaterThan(-1);
    expect(weeklyDana.indexOf('Introduce Marcus')).toBeLessThan(weeklyDana.indexOf('Approve Marcus'));
    expect(weeklyPriya).toMatch(/Send me the Hooli pilot summary|Hooli pilot summary/);
    expect(rollup).toMatch(/Marcus/);
    expect(rollup).toMatch(/Priya/);
    expect(rollup).toMatch(/Book the Initech QBR|Hooli pilot summary/);
  });
});
