import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../support/fixtures';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'followthrough.mjs');
const followthrough = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('the followthrough bin', () => {
  it('prints the extractor contract for an email and exits 0', () => {
    const run = followthrough('extract', fixturePath('demo-one-on-one.eml'));

    expect(run.status).toBe(0);
    const output = JSON.parse(run.stdout);
    expect(output.meeting).toMatchObject({
      date: '2026-11-17',
      attendees: ['priya.raman@northwind-sales.example', 'leo.martins@northwind-sales.example'],
      subject: '1:1 Priya / Leo - pipeline and Q4 commit',
    });
    expect(output.items[0]).toEqual(
      expect.objectContaining({
        owner: 'leo.martins@northwind-sales.example',
        ownerName: 'Leo Martins',
        due: '2026-11-19',
        text: 'Send Bramble & Finch the redlined MSA',
        source: '- Leo: send Bramble & Finch the redlined MSA by Thursday',
      }),
    );
    expect(run.stderr).toBe('');
  });

  it('says what is wrong and exits 2 for a file that is not an email', () => {
    const run = followthrough('extract', fixturePath('not-an-email.txt'));

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^followthrough: This is not an email/);
    expect(run.stdout).toBe('');
  });

  it('exits 2 with a pointer to --help for an unknown command', () => {
    const run = followthrough('frobnicate');

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Unknown command "frobnicate"/);
  });

  it('exits 2 naming the file it cannot read', () => {
    const run = followthrough('extract', '/nonexistent/notes.eml');

    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/Cannot read \/nonexistent\/notes.eml: ENOENT/);
  });

  it('exits quietly with 0 when the reader closes the pipe early (followthrough items | head)', () => {
    const script = `
      const { run } = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'functions', 'cli.ts'))});
      const running = run(['--help']);
      process.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      await running;
      process.exit(3);`;
    const closed = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });

    expect(closed.status).toBe(0);
    expect(closed.stderr).toBe('');
  });
});
