import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cut } from '../../../functions/domain/email/limits';
import { type IngestResult, ingestEmail, RejectedInputError } from '../../../functions/use-cases/ingest-email';
import { startWorlds } from '../../support/use-case-deps';

const dir = join(import.meta.dirname, '..', '..', 'fixtures', 'hostile');

interface Expected {
  about: string;
  outcome: 'ingested' | 'unverified' | 'rejected';
  field?: string;
  items?: number;
  cuts?: Partial<Cut>[];
  notice?: boolean;
}

const manifest = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { files: Record<string, Expected> };
const files = readdirSync(dir).filter((name) => name.endsWith('.eml'));
const cases = Object.entries(manifest.files);
/** Byte for byte, compared by digest: a deep equality over a megabyte of array elements is slow in the runner. */
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** What ingest made of a file: its result, or the rejection it threw. Anything else thrown fails the test. */
async function ingestOrReject(
  run: () => Promise<IngestResult>,
): Promise<{ result: IngestResult; rawKey: string } | { rejected: RejectedInputError; rawKey: string }> {
  try {
    const result = await run();
    const rawKey = 'rawKey' in result ? result.rawKey : 'meeting' in result ? result.meeting.rawKey : null;
    if (rawKey === null) throw new Error(`no raw key in a ${result.outcome} result`);
    return { result, rawKey };
  } catch (error) {
    if (error instanceof RejectedInputError) return { rejected: error, rawKey: error.rawKey };
    throw error;
  }
}

describe('[R10] the hostile MIME corpus through ingestEmail', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });

  it('[R10] the corpus holds at least 40 files, and the manifest gives each of them an outcome', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(manifest.files).sort()).toEqual([...files].sort());
  });

  it.each(cases)('[R10] %s gets the outcome the manifest records, with its raw bytes kept', async (file, expected) => {
    const world = await worlds.world('2026-11-17T21:43:00Z');
    try {
      const raw = new Uint8Array(readFileSync(join(dir, file)));

      const read = await ingestOrReject(() => ingestEmail(world.deps, raw));

      expect(sha256(await world.deps.archive.get(read.rawKey))).toBe(sha256(raw));
      const notices = (await world.outbox()).filter((mail) => mail.kind === 'notice');
      if ('rejected' in read) {
        expect({ outcome: 'rejected', field: read.rejected.field }).toEqual({
          outcome: expected.outcome,
          field: expected.field,
        });
        expect(await worlds.tableRows(world.store)).toEqual([]);
        expect(world.deps.scheduler.list()).toEqual([]);
        expect(await world.outbox()).toEqual([]);
        return;
      }
      const { result } = read;
      expect(result.outcome).toBe(expected.outcome);
      if (result.outcome === 'unverified') {
        expect(world.deps.scheduler.list()).toEqual([]);
        expect(await world.outbox()).toEqual([]);
        return;
      }
      if (result.outcome !== 'ingested') throw new Error(`unexpected outcome ${result.outcome}`);
      expect(result.items).toHaveLength(expected.items ?? -1);
      expect(await world.store.getMeeting(result.meeting.id)).toMatchObject({ state: 'complete' });
      expect(await world.store.listMeetingItems(result.meeting.id)).toHaveLength(expected.items ?? -1);
      expect(result.cuts ?? []).toMatchObject(expected.cuts ?? []);
      expect(result.cuts ?? []).toHaveLength(expected.cuts?.length ?? 0);
      expect(notices.map((mail) => mail.to)).toEqual(expected.notice ? [['dana@acme.example']] : []);
    } finally {
      await world.dispose();
    }
  });
});
