import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookHandler } from '../../../functions/handlers/webhook';
import { type AwsWorld, fixtureEvent, startAwsWorlds } from '../../support/aws-world';

type HttpEvent = {
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
};

const sample = fixtureEvent<HttpEvent>('http-api-webhook.json');
const secret = `whsec_${randomBytes(32).toString('base64')}`;

/** The sample request with its body replaced and signed now, as a sender holding `key` would sign it. */
function signed(body: string = sample.body, options: { key?: string; at?: Date; headers?: object } = {}): HttpEvent {
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const at = options.at ?? new Date();
  return {
    ...structuredClone(sample),
    body,
    headers: {
      ...sample.headers,
      'content-length': String(Buffer.byteLength(body)),
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.key ?? secret).sign(id, at, body),
      ...options.headers,
    },
  };
}

const answer = (result: { statusCode?: number | undefined; body?: string | undefined }) => ({
  status: result.statusCode,
  body: JSON.parse(result.body ?? '{}') as Record<string, unknown>,
});

describe('the webhook handler', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createWebhookHandler>;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-07-14T18:00:00Z');
    handler = createWebhookHandler({ ingest: world.deps, secret });
  });

  const nothingStored = async () => {
    expect((await world.store.listMeetings()).items).toHaveLength(0);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  };

  it('takes signed notes: 202 with the meeting, its items stored and its wrap-up scheduled', async () => {
    const { status, body } = answer(await handler(signed()));

    expect(status).toBe(202);
    expect(body).toEqual({
      outcome: 'ingested',
      meetingId: expect.stringMatching(/^m[0-9a-f]{20}$/),
      items: 2,
      wrapupAt: '2026-07-14T18:30:00.000Z',
    });
    expect(await world.store.listMeetingItems(String(body.meetingId))).toHaveLength(2);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand).map((call) => call.args[0].input.Name)).toContain(
      `wrapup-${body.meetingId}`,
    );
  });

  it('keeps the raw body in S3 before reading it', async () => {
    await handler(signed());

    const put = world.s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(Buffer.from(put?.Body as Uint8Array).toString('utf8')).toBe(sample.body);
  });

  it('reads a body API Gateway passed base64-encoded', async () => {
    const request = signed();
    const result = await handler({
      ...request,
      body: Buffer.from(request.body).toString('base64'),
      isBase64Encoded: true,
    });

    expect(answer(result).status).toBe(202);
  });

  it('answers the same notes twice with one meeting', async () => {
    await handler(signed());
    const { body } = answer(await handler(signed()));

    expect(body.outcome).toBe('duplicate');
    expect((await world.store.listMeetings()).items).toHaveLength(1);
  });

  it.each([
    ['signed with another key', () => signed(sample.body, { key: `whsec_${randomBytes(32).toString('base64')}` })],
    ['signed ten minutes ago', () => signed(sample.body, { at: new Date(Date.now() - 10 * 60_000) })],
    ['whose body was changed after signing', () => ({ ...signed(), body: sample.body.replace('Friday', 'Monday') })],
    ['with no signature', () => signed(sample.body, { headers: { 'webhook-signature': '' } })],
  ])('refuses a request %s with 401, storing nothing', async (_name, request) => {
    const { status, body } = answer(await handler(request()));

    expect(status).toBe(401);
    expect(body.field).toBe('webhook-signature');
    await nothingStored();
    expect(world.s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('accepts a signature made with the old key while the sender rotates: any of several v1 signatures', async () => {
    const request = signed();
    const other = new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign(
      request.headers['webhook-id'] ?? '',
      new Date(Number(request.headers['webhook-timestamp']) * 1000),
      request.body,
    );
    request.headers['webhook-signature'] = `${other} ${request.headers['webhook-signature']}`;

    expect(answer(await handler(request)).status).toBe(202);
  });

  it('refuses anything but JSON with 415 before verifying or storing', async () => {
    const { status, body } = answer(await handler(signed(sample.body, { headers: { 'content-type': 'text/plain' } })));

    expect(status).toBe(415);
    expect(body.field).toBe('content-type');
    await nothingStored();
  });

  it('refuses a body over 1 MB with 413', async () => {
    const big = JSON.stringify({ ...JSON.parse(sample.body), notes: 'x'.repeat(1024 * 1024) });

    const { status } = answer(await handler(signed(big)));

    expect(status).toBe(413);
    await nothingStored();
  });

  it.each([
    ['not JSON', '{"subject": "1:1"', 'body'],
    ['missing its attendees', JSON.stringify({ ...JSON.parse(sample.body), attendees: undefined }), 'attendees'],
    ['with a bad date', JSON.stringify({ ...JSON.parse(sample.body), date: '14/07/2026' }), 'date'],
  ])('answers a body %s with 400 naming the field, keeping the raw body', async (_name, body, field) => {
    const result = answer(await handler(signed(body)));

    expect(result.status).toBe(400);
    expect(result.body.field).toBe(field);
    expect(world.s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    await nothingStored();
  });
});
