import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSesInboundHandler, sesReceiptEventSchema } from '../../../functions/handlers/ses-inbound';
import { meetingIdOf } from '../../../functions/use-cases/ingest-email';
import { AWS, type AwsWorld, fixtureEvent, lambdaContext, startAwsWorlds } from '../../support/aws-world';

const loop = join(import.meta.dirname, '../../fixtures/emails/loop');
const notesEmail = readFileSync(join(loop, '01-dana-marcus-nov12.eml'));
const event = fixtureEvent('ses-receipt.json');
const sesMessageId = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1';
const meetingId = meetingIdOf('<20261112205012.1001.loop@mail.acme-sales.example>');

/** The sample event with some of its receipt verdicts changed. */
function withVerdicts(verdicts: Record<string, string>) {
  const copy = structuredClone(event) as { Records: Array<{ ses: { receipt: Record<string, unknown> } }> };
  const receipt = copy.Records[0]?.ses.receipt ?? {};
  for (const [name, status] of Object.entries(verdicts)) receipt[name] = { status };
  return copy;
}

describe('the SES inbound handler', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;
  let handler: ReturnType<typeof createSesInboundHandler>;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:03Z');
    world.putObject(`inbound/${sesMessageId}`, notesEmail);
    handler = createSesInboundHandler({
      ingest: world.deps,
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('accepts the receipt event as SES sends it, without the dmarcPolicy that appears only on a DMARC failure', () => {
    expect(sesReceiptEventSchema.safeParse(event).success).toBe(true);
  });

  it('reads the mail the S3 action wrote and stores the meeting and its items', async () => {
    const outcomes = await handler(event, lambdaContext());

    expect(outcomes).toEqual([{ outcome: 'ingested', meetingId, items: expect.any(Number) }]);
    expect(world.s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: AWS.bucket,
      Key: `inbound/${sesMessageId}`,
    });
    const meeting = await world.store.getMeeting(meetingId);
    expect(meeting?.state).toBe('complete');
    expect((await world.store.listMeetingItems(meetingId)).length).toBe(meeting?.itemCount);
    expect(meeting?.itemCount).toBeGreaterThan(0);
  });

  it('keeps a content-addressed copy of the raw mail under raw/', async () => {
    await handler(event, lambdaContext());

    const put = world.s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put?.Key).toMatch(/^raw\/2026-11-12\/[0-9a-f]{64}\.eml$/);
    expect(Buffer.from(put?.Body as Uint8Array).equals(notesEmail)).toBe(true);
  });

  it('schedules the wrap-up on EventBridge Scheduler, 30 minutes on, deleted once it has fired', async () => {
    await handler(event, lambdaContext());

    const wrapup = world.schedulerMock
      .commandCalls(CreateScheduleCommand)
      .map((call) => call.args[0].input)
      .find((input) => input.Name === `wrapup-${meetingId}`);
    expect(wrapup).toMatchObject({
      GroupName: AWS.group,
      ScheduleExpression: 'at(2026-11-12T21:30:03)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: AWS.sendFunction, RoleArn: AWS.schedulerRole, DeadLetterConfig: { Arn: AWS.schedulerDlq } },
    });
    expect(JSON.parse(wrapup?.Target?.Input ?? '{}')).toEqual({
      schedule: '<aws.scheduler.schedule-arn>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      job: { kind: 'wrapup', meetingId },
    });
  });

  it('processes the same SES message once when it is delivered twice', async () => {
    const first = await handler(event, lambdaContext());
    const second = await handler(event, lambdaContext());

    expect(second).toEqual(first);
    expect(world.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect((await world.store.listMeetings()).items).toHaveLength(1);
  });

  it.each([
    ['spam', { spamVerdict: 'FAIL' }],
    ['a virus', { virusVerdict: 'FAIL' }],
  ])('drops a message SES found to carry %s, reading and storing nothing', async (_name, verdicts) => {
    const outcomes = await handler(withVerdicts(verdicts), lambdaContext());

    expect(outcomes).toEqual([{ outcome: 'dropped', reason: expect.stringContaining('FAIL') }]);
    expect(world.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect((await world.store.listMeetings()).items).toHaveLength(0);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('processes a message whose DMARC verdict failed and whose dmarcPolicy is present', async () => {
    const failed = withVerdicts({ dmarcVerdict: 'FAIL' }) as { Records: Array<{ ses: { receipt: object } }> };
    Object.assign(failed.Records[0]?.ses.receipt ?? {}, { dmarcPolicy: 'reject' });

    expect(await handler(failed, lambdaContext())).toEqual([expect.objectContaining({ outcome: 'ingested' })]);
  });

  it('answers an unreadable email with an outcome naming the part at fault, keeping the raw bytes', async () => {
    world.putObject(`inbound/${sesMessageId}`, Buffer.from('From: dana@acme-sales.example\r\n\r\n'));

    const [outcome] = await handler(event, lambdaContext());

    expect(outcome).toMatchObject({ outcome: 'rejected', field: expect.any(String) });
    const rawKey = outcome?.outcome === 'rejected' ? outcome.rawKey : '';
    expect(world.objects.has(`raw/${rawKey.replace(/^raw\//, '')}`)).toBe(true);
    expect((await world.store.listMeetings()).items).toHaveLength(0);
  });

  it('throws when the mail is missing from S3, so that Lambda retries and then hands the event to its DLQ', async () => {
    world.objects.clear();

    await expect(handler(event, lambdaContext())).rejects.toThrow(/inbound\//);
  });

  it('runs again after a failed attempt: the idempotency record of a failure is not kept', async () => {
    world.objects.clear();
    await handler(event, lambdaContext()).catch(() => undefined);
    world.putObject(`inbound/${sesMessageId}`, notesEmail);

    expect(await handler(event, lambdaContext())).toEqual([expect.objectContaining({ outcome: 'ingested' })]);
  });

  it('refuses an event that is not an SES receipt', async () => {
    await expect(handler({ Records: [{ eventSource: 'aws:sqs' }] }, lambdaContext())).rejects.toThrow();
    expect(world.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('logs ids and counts, never the subject, the notes or an address', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const logger = new Logger({ serviceName: 'followthrough-test', logLevel: 'DEBUG' });
    const logged = createSesInboundHandler({
      ingest: world.deps,
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
      logger,
    });

    await logged(event, lambdaContext());
    vi.restoreAllMocks();

    const log = written.join('');
    expect(log).toContain(sesMessageId);
    expect(log).toContain(meetingId);
    expect(log).not.toMatch(/acme-sales\.example|Initech|Globex|Dana|Marcus/);
  });
});
