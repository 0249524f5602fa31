import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli';
import { fixturePath } from '../support/fixtures';

const marcus = 'marcus.reid@acme-sales.example';

describe('followthrough reply', () => {
  let data: string;
  const cli = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await main([...args, '--data', data], (line) => lines.push(line));
    return { code, output: lines.join('\n') };
  };
  const items = async () =>
    JSON.parse((await cli('items', '--json')).output) as Array<{ seq: number; status: string; due: string | null }>;

  beforeAll(async () => {
    data = await mkdtemp(join(tmpdir(), 'followthrough-reply-'));
    await cli('ingest', fixturePath('loop/01-dana-marcus-nov12.eml'), '--now', '2026-11-12T21:00:00Z');
    await cli('tick', '--to', '+30m');
  });
  afterAll(async () => {
    await rm(data, { recursive: true, force: true });
  });

  it('answers the latest wrap-up to that person, threaded under it, and applies the commands', async () => {
    const { code, output } = await cli(
      'reply',
      '--from',
      marcus,
      '--kind',
      'wrapup',
      'done 1',
      '--now',
      '2026-11-12T22:41:00Z',
    );

    expect(code).toBe(0);
    expect(output).toMatch(/^Replying to "Wrap-up: 1:1 Dana \/ Marcus/);
    expect(output).toContain('marked done');
    expect((await items()).find((item) => item.seq === 1)?.status).toBe('done');
  });

  it('sends the confirmation back to the person who replied, greeting them by name', async () => {
    const outbox = JSON.parse((await cli('outbox', '--json')).output) as Array<{ to: string[]; kind: string }>;

    expect(outbox.filter((mail) => mail.kind === 'confirmation').map((mail) => mail.to)).toEqual([[marcus]]);
  });

  it('takes each further argument as a line of the reply', async () => {
    const { code, output } = await cli('reply', '--from', marcus, '--kind', 'wrapup', 'drop 2', 'and thanks');

    expect(code).toBe(0);
    expect(output).toContain('dropped');
    expect((await items()).find((item) => item.seq === 2)?.status).toBe('dropped');
  });

  it('refuses, naming the address, when no mail of ours went to it', async () => {
    await expect(cli('reply', '--from', 'nobody@elsewhere.example', 'done 1')).rejects.toThrow(
      /no mail to nobody@elsewhere\.example/,
    );
  });

  it('refuses a reply with no text', async () => {
    await expect(cli('reply', '--from', marcus)).rejects.toThrow(/Give the text of the reply/);
  });
});
