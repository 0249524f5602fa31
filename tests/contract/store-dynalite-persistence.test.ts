import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../functions/adapters/aws/dynamodb-table';
import { startDynalite } from '../../functions/adapters/local/dynalite-server';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';
import type { Store } from '../../functions/ports/store';
import { aMeeting, meetingItems } from './store-fixtures';

const tableName = 'followthrough';

/** Runs `use` against a dynalite on `path`, then stops the server so the LevelDB files are closed. */
const withDynalite = async <T>(path: string, use: (store: Store) => Promise<T>): Promise<T> => {
  const server = await startDynalite({ path });
  const client = createLocalDynamoClient(server.endpoint);
  try {
    await ensureTable(client, tableName);
    return await use(new DynamoDbStore({ client, tableName }));
  } finally {
    client.destroy();
    await server.close();
  }
};

describe('dynalite on disk', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-dynalite-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps meetings and items across a restart on the same path', async () => {
    // Prepare
    await withDynalite(dir, async (store) => {
      await store.claimMeeting(aMeeting());
      await store.putItems(meetingItems(aMeeting().id));
      await store.completeMeeting(aMeeting().id);
    });

    // Act
    const [meeting, items] = await withDynalite(dir, (store) =>
      Promise.all([store.getMeeting(aMeeting().id), store.listMeetingItems(aMeeting().id)]),
    );

    // Assess
    expect(meeting).toStrictEqual(aMeeting({ state: 'complete' }));
    expect(items).toStrictEqual(meetingItems(aMeeting().id));
  });
});
