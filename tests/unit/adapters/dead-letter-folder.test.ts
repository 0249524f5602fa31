import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadLetterFolder, describeError } from '../../../functions/adapters/local/dead-letter-folder';
import { FollowthroughError } from '../../../functions/domain/errors';

describe('the local dead-letter folder', () => {
  let dir: string;
  let folder: DeadLetterFolder;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-failed-'));
    folder = new DeadLetterFolder(join(dir, 'failed'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('[R24] lists what failed newest first', async () => {
    const older = await folder.record(
      { source: 'smtp', rawKey: '2026-11-17/aa.eml' },
      new Error('a'),
      new Date('2026-11-17T10:00:00Z'),
    );
    const newer = await folder.record(
      { source: 'schedule', schedule: 'wrapup-m1', kind: 'wrapup' },
      new Error('b'),
      new Date('2026-11-18T10:00:00Z'),
    );

    expect((await folder.list()).map((l) => l.id)).toEqual([newer.id, older.id]);
  });

  it('[R24] forgets a record once it is removed', async () => {
    const letter = await folder.record({ source: 'webhook', rawKey: 'k.eml' }, new Error('x'), new Date());

    await folder.remove(letter.id);

    expect(await folder.list()).toEqual([]);
    expect(await readdir(join(dir, 'failed'))).toEqual([]);
  });

  it('[R24] blanks out addresses in the error it records, in the cause too', () => {
    const error = new FollowthroughError('No person dana.whitfield@acme-sales.example for the digest', {
      cause: new Error('key PERSON#<marcus.reid@acme-sales.example> missing'),
    });

    const described = describeError(error);

    expect(described.message).not.toMatch(/@|dana|marcus/);
    expect(described).toEqual({
      name: 'FollowthroughError',
      message: 'No person [address] for the digest (cause: Error: key PERSON#<[address]> missing)',
    });
  });
});
