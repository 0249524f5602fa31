import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import PostalMime from 'postal-mime';
import type { DynamoDbStore } from '../../functions/adapters/aws/dynamodb-store';
import { EventBridgeScheduler } from '../../functions/adapters/aws/eventbridge-scheduler';
import { S3RawMailArchive } from '../../functions/adapters/aws/s3-raw-mail';
import { SesMailer } from '../../functions/adapters/aws/ses-mailer';
import { SqsPageQueue } from '../../functions/adapters/aws/sqs-page-queue';
import { createLocalDynamoClient } from '../../functions/adapters/local/local-dynamodb-client';
import type { WeeklyPage, WeeklyPageQueue } from '../../functions/ports/page-queue';
import type { IngestDeps } from '../../functions/use-cases/ingest-email';
import { startTestStore } from './local-store';
import { TestClock, testSigningKeys } from './use-case-deps';

export const fixtureEvent = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/events', name), 'utf8')) as T;

export const AWS = {
  region: 'eu-west-1',
  account: '123456789012',
  bucket: 'followthrough-raw-mail',
  group: 'followthrough',
  sendFunction: 'arn:aws:lambda:eu-west-1:123456789012:function:FollowthroughService-ScheduledSend',
  schedulerRole: 'arn:aws:iam::123456789012:role/FollowthroughService-SchedulerRole',
  schedulerDlq: 'arn:aws:sqs:eu-west-1:123456789012:FollowthroughService-ScheduleDlq',
  configurationSet: 'followthrough',
  weeklyPagesQueue: 'https://sqs.eu-west-1.amazonaws.com/123456789012/FollowthroughService-WeeklyPages',
} as const;

const clientConfig = {
  region: AWS.region,
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
};

/** A Lambda context as the runtime hands it: Powertools Idempotency reads the remaining time from it. */
export const lambdaContext = (name = 'followthrough-test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${AWS.region}:${AWS.account}:function:${name}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: '2026/11/12/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * The AWS side of the product in a test: the store and the idempotency table on dynalite through the real
 * DynamoDB client; SES, Scheduler and S3 mocked at their SDK clients only (aws-sdk-client-mock), so a test asserts
 * the exact commands sent. The mocks are per-client-instance, so parallel test files do not share them.
 */
export async function startAwsWorlds() {
  const local = await startTestStore();
  const dynamo = createLocalDynamoClient(local.server.endpoint);
  return {
    async world(now: string) {
      const store: DynamoDbStore = await local.newStore();
      const idempotencyTable = `idem-${randomUUID()}`;
      await dynamo.send(
        new CreateTableCommand({
          TableName: idempotencyTable,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const clock = new TestClock(new Date(now));
      const ses = new SESClient(clientConfig);
      const scheduler = new SchedulerClient(clientConfig);
      const s3 = new S3Client(clientConfig);
      const sesMock = mockClient(ses);
      const schedulerMock = mockClient(scheduler);
      const s3Mock = mockClient(s3);
      const sqs = new SQSClient(clientConfig);
      const sqsMock = mockClient(sqs);
      sqsMock.on(SendMessageBatchCommand).callsFake(async (input: { Entries: Array<{ Id: string }> }) => ({
        Successful: input.Entries.map((entry) => ({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: '' })),
        Failed: [],
      }));
      let sent = 0;
      sesMock.on(SendRawEmailCommand).callsFake(async () => ({ MessageId: `0102019a-test-${++sent}-000000` }));
      schedulerMock.on(GetScheduleCommand).rejects(
        new ResourceNotFoundException({
          message: 'Schedule not found',
          Message: 'Schedule not found',
          $metadata: {},
        }),
      );
      schedulerMock.on(CreateScheduleCommand).callsFake(async (input: { Name: string }) => ({
        ScheduleArn: `arn:aws:scheduler:${AWS.region}:${AWS.account}:schedule/${AWS.group}/${input.Name}`,
      }));
      const objects = new Map<string, Uint8Array>();
      s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: Uint8Array }) => {
        objects.set(input.Key, input.Body);
        return { ETag: '"etag"' };
      });
      s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
        const bytes = objects.get(input.Key);
        if (bytes === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
        return { Body: { transformToByteArray: async () => bytes } };
      });
      const deps: IngestDeps & { weeklyPages: WeeklyPageQueue } = {
        store,
        clock,
        signingKeys: testSigningKeys,
        mailer: new SesMailer({ client: ses, configurationSet: AWS.configurationSet, clock }),
        scheduler: new EventBridgeScheduler({
          client: scheduler,
          groupName: AWS.group,
          targetArn: AWS.sendFunction,
          roleArn: AWS.schedulerRole,
          deadLetterArn: AWS.schedulerDlq,
        }),
        archive: new S3RawMailArchive({ client: s3, bucket: AWS.bucket }),
        weeklyPages: new SqsPageQueue({ client: sqs, queueUrl: AWS.weeklyPagesQueue }),
        config: {
          inboxAddress: 'notes@followthrough.example',
          fromAddress: 'notes@followthrough.example',
          baseUrl: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
          wrapupDelayMinutes: 30,
          // The domains of the fixtures' senders, as a deployment names its own.
          allowedSenderDomains: ['acme-sales.example', 'northwind-sales.example'],
        },
      };
      return {
        deps,
        store,
        clock,
        sesMock,
        schedulerMock,
        s3Mock,
        sqsMock,
        /** The weekly pages put on the weekly-pages queue, in the order they were sent. */
        weeklyPages(): WeeklyPage[] {
          return sqsMock
            .commandCalls(SendMessageBatchCommand)
            .flatMap((call) => call.args[0].input.Entries ?? [])
            .map((entry) => JSON.parse(entry.MessageBody ?? '') as WeeklyPage);
        },
        /** What the receipt rule's S3 action would have written before invoking the function. */
        putObject: (key: string, bytes: Uint8Array) => objects.set(key, bytes),
        objects,
        /**
         * A fresh persistence layer per handler, as each Lambda has its own: Powertools configures a layer once, with
         * the first handler's idempotency key, and ignores the configuration of any handler after it.
         */
        get persistenceStore() {
          return new DynamoDBPersistenceLayer({ tableName: idempotencyTable, awsSdkV3Client: dynamo });
        },
        /** What Powertools Idempotency recorded: one item per idempotency key, with its status and expiry. */
        async idempotencyRecords() {
          // A Scan is fine here: the table is this world's own and holds a handful of records.
          const documents = DynamoDBDocumentClient.from(dynamo);
          const { Items = [] } = await documents.send(new ScanCommand({ TableName: idempotencyTable }));
          return Items;
        },
        /** Every mail sent through SES, parsed as a recipient's client would. */
        async sentMail() {
          return Promise.all(
            sesMock.commandCalls(SendRawEmailCommand).map(async (call) => {
              const data = call.args[0].input.RawMessage?.Data;
              if (data === undefined) throw new Error('SendRawEmail without RawMessage.Data');
              return { input: call.args[0].input, email: await PostalMime.parse(data) };
            }),
          );
        },
      };
    },
    async close() {
      dynamo.destroy();
      await local.server.close();
    },
  };
}

export type AwsWorld = Awaited<ReturnType<Awaited<ReturnType<typeof startAwsWorlds>>['world']>>;
