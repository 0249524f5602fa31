import { createHmac, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseWebhookSecret, verifyWebhookSignature } from '../../../functions/domain/webhook-signature';
import type { Store } from '../../../functions/ports/store';
import { type ReceiveWebhookDeps, receiveWebhook } from '../../../functions/use-cases/receive-webhook';
import { fixtureEvent } from '../../support/aws-world';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

/** The example in the Standard Webhooks spec (and its libraries' tests): secret, id, timestamp, body, signature. */
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const notes = fixtureEvent<{ body: string }>('http-api-webhook.json').body;
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const now = '2026-07-14T18:00:00.000Z';

let worlds: Awaited<ReturnType<typeof startWorlds>>;
let world: UseCaseWorld;
let deps: ReceiveWebhookDeps;

beforeAll(async () => {
  worlds = await startWorlds();
});
afterAll(async () => {
  await worlds.close();
});
beforeEach(async () => {
  world = await worlds.world(now);
  deps = { ...world.deps, webhookSecret: secret };
});
afterEach(async () => {
  await world.dispose();
});

/** A request as a sender holding `key` signs it with the standardwebhooks library, at `at` (the test's now). */
function signed(
  body: string = notes,
  options: { id?: string; key?: string; at?: Date; headers?: Record<string, string | undefined> } = {},
) {
  const id = options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const at = options.at ?? world.clock.now();
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(options.key ?? secret).sign(id, at, body),
      ...options.headers,
    },
    body: new TextEncoder().encode(body),
  };
}

const minutes = (n: number) => new Date(Date.parse(now) + n * 60_000);

async function rawFiles(): Promise<string[]> {
  const entries = await readdir(join(world.dir, 'raw'), { recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.endsWith('.eml'));
}

async function nothingStored(): Promise<void> {
  expect((await world.store.listMeetings()).items).toEqual([]);
  expect(world.deps.scheduler.list()).toEqual([]);
  expect(await rawFiles()).toEqual([]);
}

/** The store, except that `method` fails once as a crash there would: the request dies, the table keeps the rest. */
function crashingOnce(store: Store, method: keyof Store): Store {
  let crashed = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== method || crashed || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async () => {
        crashed = true;
        throw new Error(`crash in ${String(method)}`);
      };
    },
  });
}

describe('the Standard Webhooks signature', () => {
  it('[R1] the standardwebhooks library signs the spec’s test vector to the published signature', () => {
    const signature = new Webhook(vector.secret).sign(vector.id, new Date(vector.timestamp * 1000), vector.body);

    expect(signature).toBe(vector.signature);
  });

  it('[R1] the spec’s test vector verifies with the clock at its timestamp', () => {
    const check = verifyWebhookSignature(
      parseWebhookSecret(vector.secret),
      { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature },
      new TextEncoder().encode(vector.body),
      new Date(vector.timestamp * 1000),
    );

    expect(check).toEqual({ ok: true, webhookId: vector.id, timestamp: vector.timestamp });
  });

  it('[R1] the spec’s test vector passes the signature check of the webhook and reaches the schema', async () => {
    world.clock.set(new Date(vector.timestamp * 1000));
    const request = {
      headers: {
        'content-type': 'application/json',
        'webhook-id': vector.id,
        'webhook-timestamp': String(vector.timestamp),
        'webhook-signature': vector.signature,
      },
      body: new TextEncoder().encode(vector.body),
    };

    const answer = await receiveWebhook({ ...deps, webhookSecret: vector.secret }, request);

    // Signed right, it is refused only for what it says: {"test": …} is not the notes of a meeting.
    expect(answer).toMatchObject({ status: 400, body: { field: 'date' } });
  });

  it('[R1] takes signed notes: 202, the meeting and its items stored, the wrap-up scheduled', async () => {
    const answer = await receiveWebhook(deps, signed());

    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({
      outcome: 'ingested',
      meetingId: expect.stringMatching(/^m[0-9a-f]{20}$/),
      items: 2,
      wrapupAt: '2026-07-14T18:30:00.000Z',
    });
    const meetingId = 'meetingId' in answer.body ? String(answer.body.meetingId) : '';
    expect(await world.store.listMeetingItems(meetingId)).toHaveLength(2);
    expect(world.deps.scheduler.list().map((schedule) => schedule.name)).toContain(`wrapup-${meetingId}`);
  });

  it('[R1] accepts a request whose signature header carries several v1 signatures, one of them ours', async () => {
    const request = signed();
    const id = request.headers['webhook-id'];
    const other = new Webhook(`whsec_${randomBytes(32).toString('base64')}`).sign(id, world.clock.now(), notes);
    request.headers['webhook-signature'] =
      `v1a,c2lnbmVkIHdpdGggYW4gZWQyNTUxOSBrZXk= ${other} ${request.headers['webhook-signature']}`;

    const answer = await receiveWebhook(deps, request);

    expect(answer.status).toBe(202);
    expect((await world.store.listMeetings()).items).toHaveLength(1);
  });

  it('[R1] accepts a timestamp 5 minutes old, the edge of the tolerance', async () => {
    const answer = await receiveWebhook(deps, signed(notes, { at: minutes(-5) }));

    expect(answer.status).toBe(202);
  });

  it.each([
    [
      'whose body was changed after signing',
      () => ({ ...signed(), body: new TextEncoder().encode(notes.replace('Friday', 'Monday')) }),
      'webhook-signature',
    ],
    [
      'signed with another secret',
      () => signed(notes, { key: `whsec_${randomBytes(32).toString('base64')}` }),
      'webhook-signature',
    ],
    ['signed 6 minutes ago', () => signed(notes, { at: minutes(-6) }), 'webhook-timestamp'],
    ['signed 6 minutes ahead of our clock', () => signed(notes, { at: minutes(6) }), 'webhook-timestamp'],
    [
      'whose timestamp is not whole seconds',
      () => signed(notes, { headers: { 'webhook-timestamp': `${Date.parse(now) / 1000}abc` } }),
      'webhook-timestamp',
    ],
    ['with no webhook-id', () => signed(notes, { headers: { 'webhook-id': undefined } }), 'webhook-id'],
    [
      'with no webhook-timestamp',
      () => signed(notes, { headers: { 'webhook-timestamp': undefined } }),
      'webhook-timestamp',
    ],
    [
      'with no webhook-signature',
      () => signed(notes, { headers: { 'webhook-signature': undefined } }),
      'webhook-signature',
    ],
    [
      'signed only with a version we do not take',
      () => signed(notes, { headers: { 'webhook-signature': 'v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' } }),
      'webhook-signature',
    ],
    [
      'whose signature was made for another webhook-id',
      () => ({ ...signed(), headers: { ...signed().headers, 'webhook-id': 'msg_someone_else' } }),
      'webhook-signature',
    ],
  ])('[R1] refuses a request %s with 401 naming the header, and stores nothing', async (_name, request, field) => {
    const answer = await receiveWebhook(deps, request());

    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ field });
    await nothingStored();
  });
});

describe('replays', () => {
  it('[R2] answers a replay of an ingested delivery with 200 and stores nothing again', async () => {
    const request = signed();
    const first = await receiveWebhook(deps, request);
    world.clock.set(minutes(2));

    const replay = await receiveWebhook(deps, request);

    expect(replay).toEqual({
      status: 200,
      body: { outcome: 'replay', meetingId: 'meetingId' in first.body ? first.body.meetingId : 'missing' },
    });
    expect((await world.store.listMeetings()).items).toHaveLength(1);
    expect(await rawFiles()).toHaveLength(1);
  });

  it('[R2] answers the sender’s retry of an ingested delivery, signed anew, with 200 and one meeting', async () => {
    await receiveWebhook(deps, signed());
    world.clock.set(minutes(30));

    const retry = await receiveWebhook(deps, signed(notes, { at: minutes(30) }));

    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ outcome: 'replay' });
    expect((await world.store.listMeetings()).items).toHaveLength(1);
  });

  it('[R2] records the delivery complete with its meeting once ingested', async () => {
    const answer = await receiveWebhook(deps, signed());

    expect(await world.store.getWebhookDelivery('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')).toEqual({
      webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      state: 'complete',
      receivedAt: now,
      expiresAt: Date.parse(now) / 1000 + 7 * 86_400,
      meetingId: 'meetingId' in answer.body ? answer.body.meetingId : 'missing',
      completedAt: now,
    });
  });

  it('[R2] ingests a retry of a delivery whose first attempt claimed it and then crashed', async () => {
    await world.store.claimWebhookDelivery('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', now);

    const retry = await receiveWebhook(deps, signed());

    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ outcome: 'ingested', items: 2 });
    expect((await world.store.listMeetings()).items).toHaveLength(1);
    expect(await world.store.getWebhookDelivery('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')).toMatchObject({
      state: 'complete',
    });
  });

  it('[R2] finishes a delivery that crashed after its meeting was stored: one meeting, then complete', async () => {
    const crashed = await receiveWebhook(
      { ...deps, store: crashingOnce(world.store, 'completeWebhookDelivery') },
      signed(),
    );

    const retry = await receiveWebhook(deps, signed());

    expect(crashed).toEqual({ status: 500, body: { error: 'internal error' }, cause: expect.any(Error) });
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ outcome: 'duplicate' });
    expect((await world.store.listMeetings()).items).toHaveLength(1);
    expect(await world.store.getWebhookDelivery('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')).toMatchObject({
      state: 'complete',
    });
  });

  it('[R2] stores one meeting when two deliveries of the same webhook-id arrive at once', async () => {
    const answers = await Promise.all([receiveWebhook(deps, signed()), receiveWebhook(deps, signed())]);

    expect(answers.map((answer) => answer.status).every((status) => status === 200 || status === 202)).toBe(true);
    const meetings = (await world.store.listMeetings()).items;
    expect(meetings.map((meeting) => meeting.state)).toEqual(['complete']);
    expect(await world.store.listMeetingItems(meetings[0]?.id ?? '')).toHaveLength(2);
    expect(world.deps.scheduler.list().filter((schedule) => schedule.name.startsWith('wrapup-'))).toHaveLength(1);
  });

  it('[R2] claims nothing for a request whose signature fails', async () => {
    await receiveWebhook(deps, signed(notes, { key: `whsec_${randomBytes(32).toString('base64')}` }));

    expect(await world.store.getWebhookDelivery('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W')).toBeNull();
  });
});

describe('what the request is', () => {
  it('[R3] refuses anything but JSON with 415 naming content-type, before the signature', async () => {
    const answer = await receiveWebhook(deps, signed(notes, { headers: { 'content-type': 'text/plain' } }));

    expect(answer).toEqual({
      status: 415,
      body: { error: 'Content-Type must be application/json', field: 'content-type' },
    });
    await nothingStored();
  });

  it('[R3] refuses a request with no content type with 415', async () => {
    const answer = await receiveWebhook(deps, signed(notes, { headers: { 'content-type': undefined } }));

    expect(answer.status).toBe(415);
  });

  it('[R3] takes a JSON content type with a charset, in any case', async () => {
    const answer = await receiveWebhook(
      deps,
      signed(notes, { headers: { 'content-type': 'Application/JSON; charset=utf-8' } }),
    );

    expect(answer.status).toBe(202);
  });

  it('[R3] refuses a body over 1 MB with 413 naming the body, before the signature', async () => {
    const big = JSON.stringify({ ...JSON.parse(notes), notes: 'x'.repeat(1024 * 1024) });

    const answer = await receiveWebhook(deps, signed(big, { headers: { 'webhook-signature': 'v1,forged' } }));

    expect(answer).toEqual({ status: 413, body: { error: 'The body is larger than 1048576 bytes', field: 'body' } });
    await nothingStored();
  });

  it.each([
    ['not JSON', '{"subject": "1:1"', 'body'],
    ['not UTF-8', null, 'body'],
    ['missing its attendees', JSON.stringify({ ...JSON.parse(notes), attendees: undefined }), 'attendees'],
    ['with a bad date', JSON.stringify({ ...JSON.parse(notes), date: '14/07/2026' }), 'date'],
    [
      'with an attendee who has no valid address',
      JSON.stringify({ ...JSON.parse(notes), attendees: [{ email: 'dana' }] }),
      'attendees.0.email',
    ],
  ])('[R3] answers a signed body %s with 400 naming the field, and stores no meeting', async (_name, body, field) => {
    const request = body === null ? signedBytes(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])) : signed(body);

    const answer = await receiveWebhook(deps, request);

    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ field });
    expect((await world.store.listMeetings()).items).toEqual([]);
  });

  it('[R3] answers a failure of ours with a bare 500 that names nothing of it', async () => {
    const answer = await receiveWebhook({ ...deps, store: crashingOnce(world.store, 'claimMeeting') }, signed());

    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: 'internal error' });
    expect(String(answer.cause)).toContain('crash in claimMeeting');
  });
});

/** Bytes that are not UTF-8, signed over as they are (the library signs strings, so the HMAC is made here). */
function signedBytes(body: Uint8Array) {
  const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const timestamp = Math.floor(world.clock.now().getTime() / 1000);
  const mac = createHmac('sha256', parseWebhookSecret(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${mac}`,
    },
    body,
  };
}
