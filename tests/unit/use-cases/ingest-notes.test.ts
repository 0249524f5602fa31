import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../functions/adapters/aws/dynamodb-store';
import { FileRawMailArchive } from '../../../functions/adapters/local/file-raw-mail';
import { FileScheduler } from '../../../functions/adapters/local/file-scheduler';
import type { Store } from '../../../functions/ports/store';
import {
  type IngestDeps,
  ingestNotes,
  meetingIdOf,
  RejectedInputError,
} from '../../../functions/use-cases/ingest-notes';
import { fixtureBytes } from '../../support/fixtures';
import { startTestStore } from '../../support/local-store';

const now = new Date('2026-11-17T21:43:00Z');
const demoMeetingId = meetingIdOf('<20261117214210.4471.demo@mail.northwind-sales.example>');

describe('ingestNotes', () => {
  let local: Awaited<ReturnType<typeof startTestStore>>;
  let dir: string;
  let store: DynamoDbStore;
  let scheduler: FileScheduler;
  let deps: IngestDeps;

  beforeAll(async () => {
    local = await startTestStore();
  });
  afterAll(async () => {
    await local.server.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-ingest-'));
    store = await local.newStore();
    scheduler = new FileScheduler(join(dir, 'schedules.json'));
    deps = {
      store,
      scheduler,
      archive: new FileRawMailArchive(join(dir, 'raw')),
      clock: { now: () => now },
      config: { inboxAddress: 'notes@followthrough.example', wrapupDelayMinutes: 30 },
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the meeting as complete with its items and schedules the wrap-up 30 minutes later', async () => {
    const result = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));

    expect(result.outcome).toBe('ingested');
    expect(await store.getMeeting(demoMeetingId)).toMatchObject({
      state: 'complete',
      itemCount: 5,
      date: '2026-11-17',
    });
    expect((await store.listMeetingItems(demoMeetingId)).map((i) => i.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(scheduler.list()).toEqual([
      expect.objectContaining({
        name: `wrapup-${demoMeetingId}`,
        at: '2026-11-17T22:13:00.000Z',
        job: { kind: 'wrapup', meetingId: demoMeetingId },
        state: 'pending',
      }),
    ]);
  });

  it('keeps the raw email byte for byte before reading it', async () => {
    const raw = fixtureBytes('demo-one-on-one.eml');

    const result = await ingestNotes(deps, raw);

    expect(result.outcome === 'ingested' && (await deps.archive.get(result.meeting.rawKey))).toEqual(raw);
  });

  it('stores and schedules nothing new for the same email a second time', async () => {
    await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));
    await store.setItemStatus(demoMeetingId, 1, 'done', now.toISOString());

    const again = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));

    expect(again.outcome).toBe('duplicate');
    expect((await store.listMeetingItems(demoMeetingId)).map((i) => i.status)).toEqual([
      'done',
      'open',
      'open',
      'open',
      'open',
    ]);
    expect(scheduler.list()).toHaveLength(1);
  });

  it('finishes the job when a delivery after a crash finds the meeting still pending', async () => {
    // A first attempt that stored the items and the schedule, then died before marking the meeting complete.
    const crashing = new Proxy<Store>(store, {
      get: (target, property) =>
        property === 'completeMeeting'
          ? () => Promise.reject(new Error('Lambda timed out'))
          : (target[property as keyof Store] as (...args: unknown[]) => unknown).bind(target),
    });
    await expect(ingestNotes({ ...deps, store: crashing }, fixtureBytes('demo-one-on-one.eml'))).rejects.toThrow(
      'Lambda timed out',
    );
    expect(await store.getMeeting(demoMeetingId)).toMatchObject({ state: 'pending' });

    const retry = await ingestNotes(deps, fixtureBytes('demo-one-on-one.eml'));

    expect(retry.outcome).toBe('ingested');
    expect(await store.getMeeting(demoMeetingId)).toMatchObject({ state: 'complete' });
    expect(await store.listMeetingItems(demoMeetingId)).toHaveLength(5);
    expect(scheduler.list()).toHaveLength(1);
  });

  it('rejects what is not an email, naming the field, and keeps its bytes', async () => {
    const raw = fixtureBytes('not-an-email.txt');

    const error = await ingestNotes(deps, raw).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as RejectedInputError).field).toBe('headers');
    expect(await readFile(join(dir, 'raw', (error as RejectedInputError).rawKey))).toEqual(Buffer.from(raw));
    expect((await store.listMeetings()).items).toEqual([]);
  });

  it('rejects an email without a text body and stores no meeting', async () => {
    const error = await ingestNotes(deps, fixtureBytes('empty-body.eml')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RejectedInputError);
    expect((error as RejectedInputError).field).toBe('body');
    expect((await store.listMeetings()).items).toEqual([]);
    expect(scheduler.list()).toEqual([]);
  });

  it('stores a meeting with no items when the notes hold none, and still schedules its wrap-up', async () => {
    const result = await ingestNotes(deps, fixtureBytes('no-items.eml'));

    expect(result.outcome === 'ingested' && result.items).toEqual([]);
    expect(scheduler.list()).toHaveLength(1);
  });
});
