import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbStore } from '../../../functions/adapters/aws/dynamodb-store';
import { FileRawMailArchive } from '../../../functions/adapters/local/file-raw-mail';
import { FileScheduler } from '../../../functions/adapters/local/file-scheduler';
import { listOutbox, OutboxMailer } from '../../../functions/adapters/local/outbox-mailer';
import { NotFoundError } from '../../../functions/domain/errors';
import { createScheduledSendHandler } from '../../../functions/handlers/scheduled-send';
import { ingestNotes } from '../../../functions/use-cases/ingest-notes';
import { fixtureBytes } from '../../support/fixtures';
import { startTestStore } from '../../support/local-store';

const clock = { now: () => new Date('2026-11-17T22:13:00Z') };

describe('the scheduled wrap-up', () => {
  let local: Awaited<ReturnType<typeof startTestStore>>;
  let dir: string;
  let store: DynamoDbStore;
  let handler: (event: unknown) => Promise<void>;
  let meetingId: string;

  beforeAll(async () => {
    local = await startTestStore();
  });
  afterAll(async () => {
    await local.server.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-wrapup-'));
    store = await local.newStore();
    const ingested = await ingestNotes(
      {
        store,
        scheduler: new FileScheduler(join(dir, 'schedules.json')),
        archive: new FileRawMailArchive(join(dir, 'raw')),
        clock,
        config: { inboxAddress: 'notes@followthrough.example', wrapupDelayMinutes: 30 },
      },
      fixtureBytes('demo-one-on-one.eml'),
    );
    meetingId = ingested.meeting.id;
    handler = createScheduledSendHandler({
      store,
      mailer: new OutboxMailer({ dir: join(dir, 'outbox'), clock }),
      clock,
      config: { fromAddress: 'notes@followthrough.example' },
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends one wrap-up to every attendee and records when it went', async () => {
    await handler({ kind: 'wrapup', meetingId });

    const sent = await listOutbox(join(dir, 'outbox'));
    expect(sent.map((m) => [m.kind, m.to.sort()])).toEqual([
      ['wrapup', ['leo.martins@northwind-sales.example', 'priya.raman@northwind-sales.example']],
    ]);
    expect(await store.getMeeting(meetingId)).toMatchObject({ wrapupSentAt: '2026-11-17T22:13:00.000Z' });
  });

  it('sends nothing more when the schedule fires a second time', async () => {
    await handler({ kind: 'wrapup', meetingId });
    await handler({ kind: 'wrapup', meetingId });

    expect(await listOutbox(join(dir, 'outbox'))).toHaveLength(1);
  });

  it('refuses a payload that is not a job, and sends nothing', async () => {
    await expect(handler({ kind: 'wrapup' })).rejects.toThrow(/meetingId/);
    await expect(handler({ kind: 'birthday', meetingId })).rejects.toThrow();

    expect(await listOutbox(join(dir, 'outbox'))).toEqual([]);
  });

  it('fails with NotFoundError for a meeting that does not exist', async () => {
    await expect(handler({ kind: 'wrapup', meetingId: 'm-missing' })).rejects.toBeInstanceOf(NotFoundError);
  });
});
