import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SESClient } from '@aws-sdk/client-ses';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { HttpResponse } from '@smithy/core/transport';
import type { HttpRequest } from '@smithy/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../../../functions/adapters/aws/dynamodb-store';
import { ensureTable } from '../../../../functions/adapters/aws/dynamodb-table';
import { EventBridgeScheduler } from '../../../../functions/adapters/aws/eventbridge-scheduler';
import { SesMailer } from '../../../../functions/adapters/aws/ses-mailer';
import { type LocalDynamoServer, startDynalite } from '../../../../functions/adapters/local/dynalite-server';
import { createLocalDynamoClient } from '../../../../functions/adapters/local/local-dynamodb-client';
import { awsRetry } from '../../../../functions/aws-wiring';
import { aMeeting } from '../../../contract/store-fixtures';

/**
 * The SDK's own retry middleware at work, with the clients configured as in production (awsRetry): nothing here is
 * mocked above the HTTP layer. Only the backoff is shortened, through the client's retryStrategy, to 40, 80, 160 ms
 * (production waits up to 1, 2, 4 s); the attempts and what counts as throttling are the standard strategy's own.
 */
const backoffMs = (attempt: number): number => 20 * 2 ** attempt;
const retryStrategy = () => new ConfiguredRetryStrategy(awsRetry.maxAttempts, backoffMs);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Milliseconds between one request and the next. */
const gapsOf = (times: number[]): number[] => times.slice(1).map((time, i) => time - (times[i] ?? time));

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * A proxy in front of dynalite that answers the first `throttled` requests as DynamoDB does when it throttles
 * (HTTP 400 and the error's type in the body), then forwards every request.
 */
class ThrottlingProxy {
  throttled = 0;
  errorType = 'ThrottlingException';
  readonly seen: { at: number; target: string }[] = [];
  #server: Server | undefined;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.#server = createServer(async (request, response) => {
      const body = await readBody(request);
      this.seen.push({ at: performance.now(), target: String(request.headers['x-amz-target'] ?? '') });
      if (this.seen.length <= this.throttled) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(
          JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${this.errorType}`, message: 'Rate exceeded' }),
        );
        return;
      }
      const forwarded = httpRequest(
        `${this.upstream}${request.url ?? '/'}`,
        { method: request.method, headers: request.headers },
        (upstream) => {
          response.writeHead(upstream.statusCode ?? 500, upstream.headers);
          upstream.pipe(response);
        },
      );
      forwarded.end(body);
    });
    await new Promise<void>((listening) => this.#server?.listen(0, '127.0.0.1', listening));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  reset(throttled: number, errorType = 'ThrottlingException'): void {
    this.throttled = throttled;
    this.errorType = errorType;
    this.seen.length = 0;
  }

  close(): Promise<void> {
    return new Promise((closed) => this.#server?.close(() => closed()));
  }
}

describe('DynamoDB throttling, through the real SDK retries', () => {
  let dynalite: LocalDynamoServer;
  let proxy: ThrottlingProxy;
  let direct: DynamoDbStore;
  let throttled: DynamoDbStore;
  const tableName = 'throttled';

  beforeAll(async () => {
    dynalite = await startDynalite();
    const directClient = createLocalDynamoClient(dynalite.endpoint);
    await ensureTable(directClient, tableName);
    direct = new DynamoDbStore({ client: directClient, tableName });
    proxy = new ThrottlingProxy(dynalite.endpoint);
    const client = new DynamoDBClient({
      ...awsRetry,
      endpoint: await proxy.start(),
      region: 'local',
      credentials,
      retryStrategy: retryStrategy(),
    });
    throttled = new DynamoDbStore({ client, tableName });
    await direct.claimMeeting(aMeeting());
  });
  afterAll(async () => {
    await proxy.close();
    await dynalite.close();
  });
  beforeEach(() => proxy.reset(0));

  it('[R24] a read throttled twice is retried and returns the record', async () => {
    proxy.reset(2);

    const meeting = await throttled.getMeeting(aMeeting().id);

    expect(meeting).toMatchObject({ id: aMeeting().id, state: 'pending' });
    expect(proxy.seen.map((r) => r.target)).toEqual(Array(3).fill('DynamoDB_20120810.GetItem'));
  });

  it('[R24] waits longer before each retry of a throttled request', async () => {
    proxy.reset(awsRetry.maxAttempts - 1);

    await throttled.getMeeting(aMeeting().id);

    const gaps = gapsOf(proxy.seen.map((r) => r.at));
    expect(gaps).toHaveLength(awsRetry.maxAttempts - 1);
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(backoffMs(i + 1) - 5);
    });
    expect(gaps[2] ?? 0).toBeGreaterThan(gaps[0] ?? 0);
  });

  it('[R24] a write refused with ProvisionedThroughputExceeded is retried and stored once', async () => {
    proxy.reset(2, 'ProvisionedThroughputExceededException');
    const meeting = aMeeting({ id: 'm_throttled_write', messageId: '<throttled@example>' });

    const claim = await throttled.claimMeeting(meeting);

    expect(claim).toEqual({ outcome: 'claimed' });
    expect(proxy.seen.map((r) => r.target)).toEqual(Array(3).fill('DynamoDB_20120810.PutItem'));
    expect(await direct.getMeeting(meeting.id)).toMatchObject({ id: meeting.id, state: 'pending' });
  });

  it('[R24] throttling that outlasts every attempt surfaces as the error, not as an empty answer', async () => {
    proxy.reset(Number.POSITIVE_INFINITY);

    const reading = throttled.getMeeting(aMeeting().id);

    await expect(reading).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(proxy.seen).toHaveLength(awsRetry.maxAttempts);
  });
});

/** An HTTP handler in place of the network: answers from a list, then with the last answer, and keeps every request. */
function scriptedHandler(answers: (() => HttpResponse)[]) {
  const requests: { at: number; body: string; path: string }[] = [];
  return {
    requests,
    handler: {
      metadata: { handlerProtocol: 'http/1.1' },
      async handle(request: HttpRequest) {
        requests.push({ at: performance.now(), body: String(request.body ?? ''), path: request.path });
        const answer = answers[Math.min(requests.length, answers.length) - 1];
        if (answer === undefined) throw new Error('the script has no answer');
        return { response: answer() };
      },
      updateHttpClientConfig() {},
      httpHandlerConfigs: () => ({}),
    },
  };
}

const xml =
  (statusCode: number, body: string, headers: Record<string, string> = {}) =>
  () =>
    new HttpResponse({ statusCode, headers: { 'content-type': 'text/xml', ...headers }, body: Buffer.from(body) });

const json =
  (statusCode: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new HttpResponse({
      statusCode,
      headers: { 'content-type': 'application/json', ...headers },
      body: Buffer.from(JSON.stringify(body)),
    });

/** What SES answers when the account's maximum sending rate is exceeded. */
const sesThrottled = xml(
  400,
  '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type><Code>Throttling</Code>' +
    '<Message>Maximum sending rate exceeded.</Message></Error><RequestId>r-1</RequestId></ErrorResponse>',
);

const sesSent = xml(
  200,
  '<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><SendRawEmailResult>' +
    '<MessageId>0102018f-throttled-then-sent</MessageId></SendRawEmailResult>' +
    '<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></SendRawEmailResponse>',
);

const mail = {
  kind: 'wrapup' as const,
  from: { address: 'notes@acme.example', name: 'followthrough' },
  to: [{ address: 'marcus.reid@acme.example', name: 'Marcus Reid' }],
  subject: 'Wrap-up: 1:1 Dana / Marcus',
  text: 'Wrap-up\n\n1. Send the revised quote\n',
  html: '<p>Wrap-up</p>',
  messageId: '<throttled-mail@acme.example>',
};

function sesMailer(answers: (() => HttpResponse)[]) {
  const scripted = scriptedHandler(answers);
  const client = new SESClient({
    ...awsRetry,
    region: 'eu-west-1',
    credentials,
    requestHandler: scripted.handler,
    retryStrategy: retryStrategy(),
  });
  const mailer = new SesMailer({
    client,
    configurationSet: 'followthrough-mail',
    clock: { now: () => new Date('2026-11-13T09:00:00Z') },
  });
  return { mailer, requests: scripted.requests };
}

describe('SES throttling, through the real SDK retries', () => {
  it('[R24] SendRawEmail throttled twice is retried with the same message and then sent', async () => {
    const { mailer, requests } = sesMailer([sesThrottled, sesThrottled, sesSent]);

    const sent = await mailer.send(mail);

    expect(sent.location).toBe('0102018f-throttled-then-sent');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(requests[0]?.body).toContain('Action=SendRawEmail');
  });

  it('[R24] SendRawEmail throttled on every attempt fails with the throttling error', async () => {
    const { mailer, requests } = sesMailer([sesThrottled]);

    const sending = mailer.send(mail);

    await expect(sending).rejects.toMatchObject({ name: 'Throttling' });
    expect(requests).toHaveLength(awsRetry.maxAttempts);
  });
});

const schedulerThrottled = json(
  429,
  { Message: 'Rate exceeded' },
  { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.chronos/' },
);

const scheduleCreated = json(200, {
  ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/followthrough/wrapup-m1',
});

function eventBridgeScheduler(answers: (() => HttpResponse)[]) {
  const scripted = scriptedHandler(answers);
  const client = new SchedulerClient({
    ...awsRetry,
    region: 'eu-west-1',
    credentials,
    requestHandler: scripted.handler,
    retryStrategy: retryStrategy(),
  });
  const scheduler = new EventBridgeScheduler({
    client,
    groupName: 'followthrough',
    targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:scheduled-send',
    roleArn: 'arn:aws:iam::123456789012:role/scheduling',
    deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:scheduler-dlq',
  });
  return { scheduler, requests: scripted.requests };
}

const wrapup = { name: 'wrapup-m1', at: '2026-11-13T09:30:00.000Z', job: { kind: 'wrapup' as const, meetingId: 'm1' } };

describe('EventBridge Scheduler throttling, through the real SDK retries', () => {
  it('[R24] CreateSchedule throttled twice is retried and the schedule is created', async () => {
    const { scheduler, requests } = eventBridgeScheduler([schedulerThrottled, schedulerThrottled, scheduleCreated]);

    const outcome = await scheduler.scheduleOnce(wrapup);

    expect(outcome).toBe('created');
    expect(requests.map((r) => r.path)).toEqual(Array(3).fill('/schedules/wrapup-m1'));
  });

  it('[R24] CreateSchedule throttled on every attempt fails with ThrottlingException', async () => {
    const { scheduler, requests } = eventBridgeScheduler([schedulerThrottled]);

    const scheduling = scheduler.scheduleOnce(wrapup);

    await expect(scheduling).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(requests).toHaveLength(awsRetry.maxAttempts);
  });
});
