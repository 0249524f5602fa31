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

  /** The sample API Gateway v2 event with its body replaced and signed at the world's time, as a sender would. */
  function signed(body: string = sample.body, options: { key?: string; at?: Date; headers?: object } = {}): HttpEvent {
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const at = options.at ?? world.clock.now();
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

  const nothingStored = async () => {
    expect((await world.store.listMeetings()).items).toHaveLength(0);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(world.s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  };

  it('[R1] takes signed notes: 202 with the meeting, its items stored and its wrap-up scheduled', async () => {
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

  it('[R1] verifies the signature over the bytes of a body API Gateway passed base64-encoded', async () => {
    const request = signed();
    const result = await handler({
      ...request,
      body: Buffer.from(request.body).toString('base64'),
      isBase64Encoded: true,
    });

    expect(answer(result).status).toBe(202);
  });

  it('[R1] accepts any one of several v1 signatures, as while the sender rotates its key', async () => {
    const request = signed();
    const other = new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign(
      request.headers['webhook-id'] ?? '',
      world.clock.now(),
      request.body,
    );
    request.headers['webhook-signature'] = `${other} ${request.headers['webhook-signature']}`;

    expect(answer(await handler(request)).status).toBe(202);
  });

  it.each([
    ['signed with another key', () => signed(sample.body, { key: `whsec_${randomBytes(32).toString('base64')}` })],
    ['whose body was changed after signing', () => ({ ...signed(), body: sample.body.replace('Friday', 'Monday') })],
    ['with no signature', () => signed(sample.body, { headers: { 'webhook-signature': '' } })],
  ])('[R1] refuses a request %s with 401 naming webhook-signature, storing nothing', async (_name, request) => {
    const { status, body } = answer(await handler(request()));

    expect(status).toBe(401);
    expect(body.field).toBe('webhook-signature');
    await nothingStored();
  });

  it.each([
    ['6 minutes old', -6],
    ['6 minutes ahead', 6],
  ])('[R1] refuses a request signed %s by the clock with 401 naming webhook-timestamp', async (_name, offset) => {
    const at = new Date(world.clock.now().getTime() + offset * 60_000);

    const { status, body } = answer(await handler(signed(sample.body, { at })));

    expect(status).toBe(401);
    expect(body.field).toBe('webhook-timestamp');
    await nothingStored();
  });

  it('[R1] refuses a request with no webhook-id with 401 naming it', async () => {
    const request = signed();
    delete (request.headers as Record<string, string | undefined>)['webhook-id'];

    const { status, body } = answer(await handler(request));

    expect(status).toBe(401);
    expect(body.field).toBe('webhook-id');
    await nothingStored();
  });

  it('[R2] answers a replayed delivery with 200 and stores the meeting once', async () => {
    const request = signed();
    const first = answer(await handler(request));

    const replay = answer(await handler(request));

    expect(replay).toEqual({ status: 200, body: { outcome: 'replay', meetingId: first.body.meetingId } });
    expect((await world.store.listMeetings()).items).toHaveLength(1);
    expect(world.s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('[R3] refuses anything but JSON with 415 naming content-type, before verifying or storing', async () => {
    const { status, body } = answer(await handler(signed(sample.body, { headers: { 'content-type': 'text/plain' } })));

    expect(status).toBe(415);
    expect(body).toEqual({ error: 'Content-Type must be application/json', field: 'content-type' });
    await nothingStored();
  });

  it('[R3] refuses a body over 1 MB with 413 naming the body', async () => {
    const big = JSON.stringify({ ...JSON.parse(sample.body), notes: 'x'.repeat(1024 * 1024) });

    const { status, body } = answer(await handler(signed(big)));

    expect(status).toBe(413);
    expect(body.field).toBe('body');
    await nothingStored();
  });

  it.each([
    ['not JSON', '{"subject": "1:1"', 'body'],
    ['missing its attendees', JSON.stringify({ ...JSON.parse(sample.body), attendees: undefined }), 'attendees'],
    ['with a bad date', JSON.stringify({ ...JSON.parse(sample.body), date: '14/07/2026' }), 'date'],
  ])('[R3] answers a body %s with 400 naming the field, keeping the raw body', async (_name, body, field) => {
    const result = answer(await handler(signed(body)));

    expect(result.status).toBe(400);
    expect(result.body.field).toBe(field);
    expect(world.s3Mock.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect((await world.store.listMeetings()).items).toHaveLength(0);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('answers a failure of ours with a bare 500', async () => {
    world.s3Mock.on(PutObjectCommand).rejects(new Error('S3 is down: arn:aws:s3:::followthrough-raw'));

    const result = answer(await handler(signed()));

    expect(result).toEqual({ status: 500, body: { error: 'internal error' } });
  });

  it('refuses to start with a secret that cannot sign', () => {
    expect(() => createWebhookHandler({ ingest: world.deps, secret: 'whsec_c2hvcnQ=' })).toThrow(
      /24 to 64 random bytes/,
    );
  });
});
