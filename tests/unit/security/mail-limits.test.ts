import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import PostalMime from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capHtmlDepth } from '../../../functions/domain/email/html-depth';
import { MAIL_LIMITS } from '../../../functions/domain/email/limits';
import { parseEmail } from '../../../functions/domain/email/parse-email';
import { type IngestResult, ingestEmail, RejectedInputError } from '../../../functions/use-cases/ingest-email';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const NOTES = [
  'Notes from our 1:1',
  '',
  'Action items:',
  '- Jordan to send the revised MAP to the champion by Friday',
  '- Dana to book the QBR room by 11/24',
  '',
].join('\n');
const FILLER = 'We went through the pipeline one account at a time.\n';

function head(id: string, extra: string[] = []): string[] {
  return [
    'From: Dana Whitfield <dana@acme.example>',
    'To: Jordan Lee <jordan@acme.example>',
    'Subject: 1:1 Dana / Jordan',
    'Date: Tue, 17 Nov 2026 16:30:00 -0500',
    `Message-ID: <${id}@limits.example>`,
    'MIME-Version: 1.0',
    ...extra,
  ];
}

function email(headers: string[], body: string): Uint8Array {
  return new TextEncoder().encode(`${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`);
}

const notesEmail = (id: string, body: string, extra: string[] = []) =>
  email(head(id, ['Content-Type: text/plain; charset=utf-8', ...extra]), body);

/** `text` followed by filler lines, the last one shortened, to exactly `length` characters. */
function fillTo(text: string, length: number): string {
  const lines = Math.floor((length - text.length) / FILLER.length);
  const padded = text + FILLER.repeat(lines);
  return padded + 'z'.repeat(length - padded.length);
}

/** 312,000 characters whose line break at 100,000 is where the limit cuts: the appendix after it is not read. */
const longNotes = (() => {
  const read = fillTo(NOTES, MAIL_LIMITS.notesChars);
  const unread = 'Appendix: pipeline export\n- Dana to send the appendix to finance by Friday\n';
  return `${read}\n${fillTo(unread, 312_000 - read.length - 2)}\n`;
})();

/** A multipart/mixed message: the notes, then `attachments` small files. */
function manyParts(id: string, attachments: number): Uint8Array {
  const parts = [`--p\nContent-Type: text/plain; charset=utf-8\n\n${NOTES}`];
  for (let i = 0; i < attachments; i++) {
    parts.push(
      `--p\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="f${i}.bin"\n\nx\n`,
    );
  }
  return email(head(id, ['Content-Type: multipart/mixed; boundary="p"']), `${parts.join('')}--p--\n`);
}

/** The notes inside `depth` messages attached inline one inside the other. */
function attachedInside(id: string, depth: number): Uint8Array {
  let inner = `${head(`${id}-0`, ['Content-Type: text/plain; charset=utf-8']).join('\n')}\n\n${NOTES}`;
  for (let level = 1; level <= depth; level++) {
    const headers = head(`${id}-${level}`, [`Content-Type: multipart/mixed; boundary="l${level}"`]);
    inner = `${headers.join('\n')}\n\n--l${level}\nContent-Type: text/plain\n\nForwarded.\n--l${level}\nContent-Type: message/rfc822\n\n${inner}\n--l${level}--\n`;
  }
  return email(inner.split('\n\n')[0]?.split('\n') ?? [], inner.slice(inner.indexOf('\n\n') + 2));
}

/** `depth` multiparts, each the only part of the one around it, with the notes in the innermost. */
function nestedMultiparts(id: string, depth: number): Uint8Array {
  let body = `--b${depth}\nContent-Type: text/plain\n\n${NOTES}--b${depth}--\n`;
  for (let level = depth - 1; level >= 1; level--) {
    body = `--b${level}\nContent-Type: multipart/mixed; boundary="b${level + 1}"\n\n${body}--b${level}--\n`;
  }
  return email(head(id, ['Content-Type: multipart/mixed; boundary="b1"']), body);
}

/** An email of exactly `bytes` bytes: the notes, then filler lines. */
function emailOfSize(id: string, bytes: number, extra: string[] = []): Uint8Array {
  const headers = `${head(id, ['Content-Type: text/plain; charset=utf-8', ...extra]).join('\r\n')}\r\n\r\n`;
  const line = `${FILLER.trimEnd()}\r\n`;
  const body = `${NOTES.replace(/\n/g, '\r\n')}${line.repeat(Math.ceil(bytes / line.length))}`;
  return new TextEncoder().encode((headers + body).slice(0, bytes));
}

/** Compared by digest: a deep equality over 13 million array elements takes the test runner half a minute. */
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function rejection(run: Promise<unknown>): Promise<RejectedInputError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof RejectedInputError)) throw new Error(`expected a RejectedInputError, got ${String(error)}`);
  return error;
}

function ingested(result: IngestResult): Extract<IngestResult, { outcome: 'ingested' }> {
  if (result.outcome !== 'ingested') throw new Error(`expected ingested, got ${result.outcome}`);
  return result;
}

describe('[R9] limits on inbound mail', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;

  /** Every notice in the outbox, as its recipient reads it. */
  async function notices(): Promise<
    { to: string[]; subject: string; text: string; html: string; headers: Map<string, string> }[]
  > {
    const mails = (await world.outbox()).filter((mail) => mail.kind === 'notice');
    return Promise.all(
      mails.map(async (mail) => {
        const parsed = await PostalMime.parse(await readFile(mail.file));
        return {
          to: mail.to,
          subject: mail.subject,
          text: parsed.text ?? '',
          html: parsed.html ?? '',
          headers: new Map(parsed.headers.map((h) => [h.key, h.value])),
        };
      }),
    );
  }

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-17T21:43:00Z');
  });
  afterEach(async () => {
    await world.dispose();
  });

  describe('total size', () => {
    const tooLarge = () => emailOfSize('too-large', 12.5 * 1024 * 1024);

    it('[R9] an email over 10 MB is refused naming the field size, its raw bytes kept and nothing stored', async () => {
      const raw = tooLarge();

      const error = await rejection(ingestEmail(world.deps, raw, { senderVerified: false }));

      expect(error.field).toBe('size');
      expect(sha256(await world.deps.archive.get(error.rawKey))).toBe(sha256(raw));
      expect(await worlds.tableRows(world.store)).toEqual([]);
      expect(world.deps.scheduler.list()).toEqual([]);
    });

    it('[R9] a verified sender of an email over 10 MB gets one notice with its size and the limit', async () => {
      await rejection(ingestEmail(world.deps, tooLarge()));

      const [notice, ...others] = await notices();
      expect(others).toEqual([]);
      expect(notice?.to).toEqual(['dana@acme.example']);
      expect(notice?.subject).toMatch(/^Your email was too large to read \[ft-[a-z2-7]+\]$/);
      expect(notice?.text).toBe(
        [
          'Your email was too large to read',
          '================================',
          'Dana, this is about your email “1:1 Dana / Jordan”.',
          '',
          'Your email was 12.5 MB; followthrough reads emails of up to 10 MB, so none of it was read and nothing was stored.',
          '',
          'Send the notes again as text, without large attachments.',
          '',
          '-- ',
          'You are getting this because you sent an email to followthrough.',
          '',
          '',
        ].join('\n'),
      );
      expect(notice?.headers.get('in-reply-to')).toBe('<too-large@limits.example>');
      expect(notice?.headers.get('auto-submitted')).toBe('auto-replied');
    });

    it('[R9] an unverified sender of an email over 10 MB gets no notice', async () => {
      await rejection(ingestEmail(world.deps, tooLarge(), { senderVerified: false }));

      expect(await world.outbox()).toEqual([]);
    });

    it('[R9] an automated sender of an email over 10 MB gets no notice', async () => {
      const raw = emailOfSize('too-large-auto', 12.5 * 1024 * 1024, ['Auto-Submitted: auto-generated']);

      await rejection(ingestEmail(world.deps, raw));

      expect(await world.outbox()).toEqual([]);
    });

    it('[R9] an email of exactly 10 MB is read and one byte more is refused', async () => {
      const atLimit = await parseEmail(emailOfSize('at-limit', MAIL_LIMITS.messageBytes));
      const over = await parseEmail(emailOfSize('over-limit', MAIL_LIMITS.messageBytes + 1)).catch((e: unknown) => e);

      expect(atLimit.messageId).toBe('<at-limit@limits.example>');
      expect(over).toMatchObject({
        field: 'size',
        message: 'The email is 10.1 MB; followthrough reads emails of up to 10 MB.',
      });
    });
  });

  describe('line count', () => {
    const manyLines = (id: string, lines: number) =>
      email(head(id, ['Content-Type: text/plain; charset=utf-8']), `${NOTES}${'\n'.repeat(lines)}`);

    it('[R9] an email of more than 250,000 lines is refused naming the field lines, its raw bytes kept and nothing stored', async () => {
      const raw = manyLines('many-lines', 300_000);

      const error = await rejection(ingestEmail(world.deps, raw));

      expect(error.field).toBe('lines');
      expect(error.message).toBe(
        'The email has more than 250,000 lines; followthrough reads emails of up to that many.',
      );
      expect(sha256(await world.deps.archive.get(error.rawKey))).toBe(sha256(raw));
      expect(await worlds.tableRows(world.store)).toEqual([]);
      expect(await world.outbox()).toEqual([]);
    });

    it('[R9] an email of 200,000 lines is read', async () => {
      const result = ingested(await ingestEmail(world.deps, manyLines('fewer-lines', 200_000)));

      expect(result.items.map((item) => item.text)).toContain('Send the revised MAP to the champion');
    });
  });

  describe('notes length', () => {
    it('[R9] notes over 100,000 characters are cut at a line break and nothing after it is read', async () => {
      const result = ingested(await ingestEmail(world.deps, notesEmail('long-notes', longNotes)));

      expect(result.cuts).toEqual([
        { limit: 'notes-length', kept: 100_000, total: 312_000, from: 'Appendix: pipeline export' },
      ]);
      expect(result.items.map((item) => item.text)).toEqual([
        'Send the revised MAP to the champion',
        'Book the QBR room',
      ]);
    });

    it('[R9] a verified sender whose notes were cut gets one notice saying what was not read', async () => {
      await ingestEmail(world.deps, notesEmail('long-notes', longNotes));

      const [notice, ...others] = await notices();
      expect(others).toEqual([]);
      expect(notice?.to).toEqual(['dana@acme.example']);
      expect(notice?.subject).toMatch(/^Part of your email was not read \[ft-[a-z2-7]+\]$/);
      expect(notice?.text).toBe(
        [
          'Part of your email was not read',
          '===============================',
          'Dana, this is about your email “1:1 Dana / Jordan”.',
          '',
          'Your notes were 312,000 characters; followthrough read the first 100,000 — the part from “Appendix: pipeline export” on was not read.',
          '',
          'What was read is followed up as usual. To have the rest read, send it in a new email, not as a reply to this one.',
          '',
          '-- ',
          'You are getting this because you sent an email to followthrough.',
          '',
          '',
        ].join('\n'),
      );
      expect(notice?.html).toContain('the part from “Appendix: pipeline export” on was not read.');
    });

    it('[R9] the notice escapes the words it quotes from the notes', async () => {
      const body = longNotes.replace('Appendix: pipeline export', '<b onmouseover=alert(1)>Appendix</b> & co');

      await ingestEmail(world.deps, notesEmail('long-notes-html', body));

      const [notice] = await notices();
      expect(notice?.html).toContain('“&lt;b onmouseover&#x3D;alert(1)&gt;Appendix&lt;&#x2F;b&gt; &amp; co”');
      expect(notice?.html).not.toContain('<b onmouseover');
    });

    it('[R9] an unverified sender whose notes were cut gets no notice', async () => {
      const result = await ingestEmail(world.deps, notesEmail('long-notes', longNotes), { senderVerified: false });

      expect(result.outcome).toBe('unverified');
      expect(await world.outbox()).toEqual([]);
    });

    it('[R9] an automated sender whose notes were cut gets no notice', async () => {
      const result = await ingestEmail(world.deps, notesEmail('long-notes-auto', longNotes, ['Precedence: bulk']));

      expect(result.outcome).toBe('ignored');
      expect(await world.outbox()).toEqual([]);
    });

    it('[R9] a second delivery of an email with cut notes sends no second notice', async () => {
      await ingestEmail(world.deps, notesEmail('long-notes', longNotes));

      const again = await ingestEmail(world.deps, notesEmail('long-notes', longNotes));

      expect(again).toMatchObject({ outcome: 'duplicate', cuts: [{ limit: 'notes-length' }] });
      expect(await notices()).toHaveLength(1);
    });

    it('[R9] notes within the limit are read whole and send no notice', async () => {
      const result = ingested(await ingestEmail(world.deps, fixtureBytes('demo-one-on-one.eml')));

      expect(result.cuts).toBeUndefined();
      expect(await notices()).toEqual([]);
    });
  });

  describe('parts', () => {
    it('[R9] an email of more than 200 parts is read up to its 200th part and the sender told how many were skipped', async () => {
      const result = ingested(await ingestEmail(world.deps, manyParts('many-parts', 249)));

      expect(result.cuts).toEqual([{ limit: 'parts', kept: 200, total: 250 }]);
      expect(result.items).toHaveLength(2);
      const [notice] = await notices();
      expect(notice?.text).toContain(
        '\nYour email had 250 parts; followthrough read the first 200 and skipped the other 50, with any attachments among them.\n',
      );
    });

    it('[R9] an email of 200 parts is read whole', async () => {
      const parsed = await parseEmail(manyParts('parts-at-limit', 199));

      expect(parsed.cuts).toEqual([]);
      expect(parsed.attachments).toHaveLength(199);
    });
  });

  describe('nesting depth', () => {
    it('[R9] multiparts nested more than 20 deep are refused naming the field depth, and nothing is stored', async () => {
      const error = await rejection(ingestEmail(world.deps, nestedMultiparts('deep-multipart', 21)));

      expect(error.field).toBe('depth');
      expect(await worlds.tableRows(world.store)).toEqual([]);
      expect(await world.outbox()).toEqual([]);
    });

    it('[R9] multiparts nested 20 deep are read', async () => {
      const result = ingested(await ingestEmail(world.deps, nestedMultiparts('multipart-at-limit', 20)));

      expect(result.items).toHaveLength(2);
    });

    it('[R9] messages attached more than 3 deep are left unopened and the sender is told', async () => {
      const result = ingested(await ingestEmail(world.deps, attachedInside('deep-attached', 5)));

      expect(result.cuts).toEqual([{ limit: 'attached-depth' }]);
      const [notice] = await notices();
      expect(notice?.text).toContain(
        '\nYour email holds messages attached inside attached messages; followthrough does not open them that deep, so what they hold was not read.\n',
      );
    });

    it('[R9] messages attached 3 deep are read', async () => {
      const result = ingested(await ingestEmail(world.deps, attachedInside('attached-at-limit', 3)));

      expect(result.cuts).toBeUndefined();
      expect(result.items).toHaveLength(2);
    });

    it('[R9] HTML nested more than 100 tags deep keeps its text and loses only the deeper tags', () => {
      const deep = `<p>Notes</p>${'<div>'.repeat(150)}<b>deep</b>${'</div>'.repeat(150)}<p>after</p>`;

      const capped = capHtmlDepth(deep);

      expect(capped.capped).toBe(true);
      expect(capped.html).toBe(`<p>Notes</p>${'<div>'.repeat(100)}deep${'</div>'.repeat(100)}<p>after</p>`);
    });

    it('[R9] HTML within the depth limit passes unchanged', async () => {
      const html = (await parseEmail(fixtureBytes('html-table.eml'))).html ?? '';

      expect(capHtmlDepth(html)).toEqual({ html, capped: false });
    });
  });

  describe('header size', () => {
    it('[R9] headers over 256 KB are refused naming the field headers, and nothing is stored', async () => {
      const raw = notesEmail('big-header', NOTES, [`X-Padding: ${'a'.repeat(MAIL_LIMITS.headerBytes)}`]);

      const error = await rejection(ingestEmail(world.deps, raw));

      expect(error.field).toBe('headers');
      expect(error.message).toBe("The email's headers are longer than 256 KB; followthrough reads no longer headers.");
      expect(await worlds.tableRows(world.store)).toEqual([]);
    });
  });

  describe('meeting size', () => {
    it('[R9] an email naming more than 20 people is refused naming the field To, and no one is mailed', async () => {
      const people = Array.from({ length: 21 }, (_, i) => `person${i}@acme.example`).join(', ');
      const raw = email(
        head('crowd', ['Content-Type: text/plain; charset=utf-8']).map((line) =>
          line.startsWith('To:') ? `To: ${people}` : line,
        ),
        NOTES,
      );

      const error = await rejection(ingestEmail(world.deps, raw));

      expect(error.field).toBe('To');
      expect(await worlds.tableRows(world.store)).toEqual([]);
      expect(world.deps.scheduler.list()).toEqual([]);
    });

    it('[R9] notes with more than 200 action items keep the first 200 and the sender is told', async () => {
      const bullets = Array.from({ length: 250 }, (_, i) => `- Jordan to call account ${i + 1} by Friday`).join('\n');

      const result = ingested(await ingestEmail(world.deps, notesEmail('many-items', `Action items:\n${bullets}\n`)));

      expect(result.items).toHaveLength(200);
      expect(await world.store.listMeetingItems(result.meeting.id)).toHaveLength(200);
      expect(result.cuts).toEqual([{ limit: 'items', kept: 200, total: 250 }]);
      const [notice] = await notices();
      expect(notice?.text).toContain(
        '\nYour notes listed 250 action items; followthrough kept the first 200 and left out the other 50.\n',
      );
    });
  });
});
