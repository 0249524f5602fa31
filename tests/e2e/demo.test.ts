import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
/** `npm run demo -- --data DIR`, as package.json runs it, without npm in between. */
const demo = (data: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts', 'demo.ts'), '--data', data], {
    cwd: repo,
    encoding: 'utf8',
  });

describe('npm run demo --data DIR', () => {
  let data: string;
  beforeEach(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-demo-'));
  });
  afterEach(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('runs the loop in the data dir it is given, each mail in its outbox', async () => {
    const run = demo(data);

    expect(run.status).toBe(0);
    const mails = (await readdir(join(data, 'outbox'))).filter((name) => name.endsWith('.eml'));
    const kinds = mails.map((name) => name.split('-')[1]);
    expect(new Set(kinds)).toEqual(new Set(['wrapup', 'confirmation', 'digest', 'weekly', 'rollup']));
  });

  it('refuses a data dir that is not empty and leaves what is in it', async () => {
    await writeFile(join(data, 'notes.txt'), 'my own');

    const run = demo(data);

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/needs an empty data dir/);
    expect(await readdir(data)).toEqual(['notes.txt']);
    expect(await readFile(join(data, 'notes.txt'), 'utf8')).toBe('my own');
  });
});
