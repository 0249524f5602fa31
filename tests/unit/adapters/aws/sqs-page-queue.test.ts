import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { SqsPageQueue } from '../../../../functions/adapters/aws/sqs-page-queue';
import type { WeeklyPage } from '../../../../functions/ports/page-queue';

const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/FollowthroughService-WeeklyPages';
const pages = (count: number): WeeklyPage[] =>
  Array.from({ length: count }, (_, n) => ({ date: '2026-11-23', addresses: [`person${n}@acme-sales.example`] }));

function queue() {
  const client = new SQSClient({ region: 'eu-west-1', credentials: { accessKeyId: 't', secretAccessKey: 't' } });
  return { sqs: mockClient(client), queue: new SqsPageQueue({ client, queueUrl }) };
}

describe('SqsPageQueue', () => {
  it('sends the pages as one SendMessageBatch, each page one message of JSON', async () => {
    const { sqs, queue: q } = queue();
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });

    await q.send(pages(2));

    expect(sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: queueUrl,
        Entries: [
          { Id: '0', MessageBody: '{"date":"2026-11-23","addresses":["person0@acme-sales.example"]}' },
          { Id: '1', MessageBody: '{"date":"2026-11-23","addresses":["person1@acme-sales.example"]}' },
        ],
      },
    ]);
  });

  it('sends again the entries SQS failed on its side, and only those', async () => {
    const { sqs, queue: q } = queue();
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] })
      .resolves({ Failed: [] });

    await q.send(pages(3));

    expect(
      sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.map((e) => e.Id)),
    ).toEqual([['0', '1', '2'], ['1']]);
  });

  it('fails on an entry SQS refused for our fault, without sending it again', async () => {
    const { sqs, queue: q } = queue();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents' }] });

    await expect(q.send(pages(1))).rejects.toThrow(/InvalidMessageContents/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('refuses more pages than one SendMessageBatch takes', async () => {
    const { sqs, queue: q } = queue();

    await expect(q.send(pages(11))).rejects.toThrow(/10 messages at most/);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toEqual([]);
  });
});
