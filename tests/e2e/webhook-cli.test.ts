import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli';
import { ENV } from '../../functions/config/env';
import { startLocalServers } from '../../functions/serve';
import { fixtureEvent } from '../support/aws-world';

const notes = fixtureEvent<{ body: string }>('http-api-webhook.json').body;

describe('the local webhook secret', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-webhook-secret-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await main([...args, '--data', dir], (line) => lines.push(line));
    return { code, lines };
  };

  it('[R1] `followthrough webhook-secret` makes a whsec_ secret of 32 random bytes for the data dir, owner-only', async () => {
    const { code, lines } = await run('webhook-secret');

    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(String(lines[0]).slice('whsec_'.length), 'base64')).toHaveLength(32);
    const secrets = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8'));
    expect(secrets.webhookSecret).toBe(lines[0]);
    expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
  });

  it('[R1] prints the same secret every time for the same data dir', async () => {
    const first = await run('webhook-secret');

    const second = await run('webhook-secret');

    expect(second.lines).toEqual(first.lines);
  });

  it('[R1] prints FOLLOWTHROUGH_WEBHOOK_SECRET instead when it is set', async () => {
    const given = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    process.env[ENV.webhookSecret] = given;
    try {
      expect((await run('webhook-secret')).lines).toEqual([given]);
    } finally {
      delete process.env[ENV.webhookSecret];
    }
  });

  it('[R1] refuses a FOLLOWTHROUGH_WEBHOOK_SECRET too short to be a key', async () => {
    process.env[ENV.webhookSecret] = 'whsec_c2hvcnQ=';
    try {
      await expect(run('webhook-secret')).rejects.toThrow(/FOLLOWTHROUGH_WEBHOOK_SECRET/);
    } finally {
      delete process.env[ENV.webhookSecret];
    }
  });
});

describe('followthrough post', () => {
  let dir: string;
  let servers: Awaited<ReturnType<typeof startLocalServers>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-post-'));
    servers = await startLocalServers({ dataDir: dir, port: 0, smtpPort: 0, tickMs: 3_600_000, log: () => {} });
    await writeFile(join(dir, 'notes.json'), notes);
  });
  afterAll(async () => {
    await servers?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('[R1] signs the file with the data dir’s secret and the running server stores the meeting (202)', async () => {
    const lines: string[] = [];

    const code = await main(
      ['post', join(dir, 'notes.json'), '--data', dir, '--url', `${servers.url}/webhooks/notes`],
      (line) => lines.push(line),
    );

    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^202 \{"outcome":"ingested"/);
    expect((await servers.stack.store.listMeetings()).items).toHaveLength(1);
  });

  it('[R1] is refused (401, exit 1) when signed with another data dir’s secret', async () => {
    const other = await mkdtemp(join(tmpdir(), 'followthrough-post-other-'));
    const lines: string[] = [];
    try {
      const code = await main(
        ['post', join(dir, 'notes.json'), '--data', other, '--url', `${servers.url}/webhooks/notes`],
        (line) => lines.push(line),
      );

      expect(code).toBe(1);
      expect(lines[0]).toMatch(/^401 .*"field":"webhook-signature"/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
