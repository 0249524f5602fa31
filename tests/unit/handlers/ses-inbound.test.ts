import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSesInboundHandler, sesReceiptEventSchema } from '../../../functions/handlers/ses-inbound';
import { meetingIdOf } from '../../../functions/use-cases/ingest-email';
import { AWS, type AwsWorld, fixtureEvent, lambdaContext, startAwsWorlds } from '../../support/aws-world';

const loop = join(import.meta.dirname, '../../fixtures/emails/loop');
const notesEmail = readFileSync(join(loop, '01-dana-marcus-nov12.eml'));
const event = fixtureEvent('ses-receipt.json');
const sesMessageId = 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1';
const meetingId = meetingIdOf('<20261112205012.1001.loop@mail.acme-sales.example>');

type SesMail = {
  source: string;
  headersTruncated: boolean;
  headers: Array<{ name: string; value: string }>;
  commonHeaders: Record<string, unknown>;
};
type ReceiptEvent = { Records: Array<{ ses: { mail: SesMail; receipt: Record<string, unknown> } }> };

/** The sample event with some of its receipt verdicts changed, and its mail part changed by `mail`. */
function withVerdicts(verdicts: Record<string, string>, mail: (m: SesMail) => void = () => undefined) {
  const copy = structuredClone(event) as ReceiptEvent;
  const record = copy.Records[0];
  if (record === undefined) throw new Error('the fixture has a record');
  for (const [name, status] of Object.entries(verdicts)) record.ses.receipt[name] = { status };
  mail(record.ses.mail);
  return copy;
}

/** Only DKIM, or only SPF, for a domain with no DMARC record (SES's verdict is then GRAY). */
const noDmarc = { dmarcVerdict: 'GRAY', spfVerdict: 'FAIL', dkimVerdict: 'FAIL' };
const setHeader = (mail: SesMail, name: string, value: string) => {
  for (const h of mail.headers) if (h.name === name) h.value = value;
};

/** What the logger writes to stdout (info, debug) and stderr (warn, error), until vi.restoreAllMocks(). */
function captureLogs(): string[] {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  return written;
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

  it('[R8] processes the same SES message once when it is delivered twice', async () => {
    const first = await handler(event, lambdaContext());
    const second = await handler(event, lambdaContext());

    expect(second).toEqual(first);
    expect(world.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect((await world.store.listMeetings()).items).toHaveLength(1);
  });

  it('[R8] processes once a second delivery that lands on another execution environment', async () => {
    // Lambda retries an async event wherever it likes: the second copy meets only the idempotency table.
    const elsewhere = createSesInboundHandler({
      ingest: world.deps,
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
    });
    const [first] = await handler(event, lambdaContext());

    const [second] = await elsewhere(event, lambdaContext('followthrough-test-2'));

    expect(second).toEqual(first);
    // Powertools keys the record by an MD5 of the JSON of the idempotency key, the SES messageId.
    expect(await world.idempotencyRecords()).toEqual([
      expect.objectContaining({
        id: `#${createHash('md5').update(JSON.stringify(sesMessageId)).digest('base64')}`,
        status: 'COMPLETED',
        data: first,
      }),
    ]);
    expect((await world.store.listMeetings()).items.map((m) => [m.id, m.state])).toEqual([[meetingId, 'complete']]);
    const meeting = await world.store.getMeeting(meetingId);
    expect(await world.store.listMeetingItems(meetingId)).toHaveLength(meeting?.itemCount ?? -1);
    const wrapups = world.schedulerMock
      .commandCalls(CreateScheduleCommand)
      .filter((call) => call.args[0].input.Name === `wrapup-${meetingId}`);
    expect(wrapups).toHaveLength(1);
    expect([...world.objects.keys()].filter((key) => key.startsWith('raw/'))).toHaveLength(1);
  });

  it('[R8] lets one of two deliveries running at once through, and makes the other fail so that Lambda retries it', async () => {
    const elsewhere = createSesInboundHandler({
      ingest: world.deps,
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
    });

    const results = await Promise.allSettled([handler(event, lambdaContext()), elsewhere(event, lambdaContext())]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { name: 'IdempotencyAlreadyInProgressError' },
    });
    expect((await world.store.listMeetings()).items.map((m) => m.state)).toEqual(['complete']);
    expect([...world.objects.keys()].filter((key) => key.startsWith('raw/'))).toHaveLength(1);
  });

  it.each([
    ['spam', { spamVerdict: 'FAIL' }],
    ['a virus', { virusVerdict: 'FAIL' }],
  ])('[R4] drops a message SES found to carry %s, reading and storing nothing', async (_name, verdicts) => {
    const outcomes = await handler(withVerdicts(verdicts), lambdaContext());

    expect(outcomes).toEqual([{ outcome: 'dropped', reason: expect.stringContaining('FAIL') }]);
    expect(world.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect((await world.store.listMeetings()).items).toHaveLength(0);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(world.sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
  });

  it('[R4] leaves a spam message where SES put it and logs it by its message id only', async () => {
    const written = captureLogs();
    const logged = createSesInboundHandler({
      ingest: world.deps,
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
      logger: new Logger({ serviceName: 'followthrough-test', logLevel: 'DEBUG' }),
    });

    await logged(withVerdicts({ spamVerdict: 'FAIL' }), lambdaContext());
    vi.restoreAllMocks();

    expect(world.objects.get(`inbound/${sesMessageId}`)).toEqual(notesEmail);
    expect(world.s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    const log = written.join('');
    expect(log).toContain(sesMessageId);
    expect(log).not.toMatch(/acme-sales\.example|Initech|Globex|Dana|Marcus/);
  });

  it('[R4] keeps the notes of a message whose DMARC verdict failed as an unverified meeting, and sends and schedules nothing', async () => {
    const failed = withVerdicts({ dmarcVerdict: 'FAIL' });
    Object.assign(failed.Records[0]?.ses.receipt ?? {}, { dmarcPolicy: 'reject' });

    const outcomes = await handler(failed, lambdaContext());

    expect(outcomes).toEqual([
      { outcome: 'unverified', meetingId: expect.any(String), reason: 'the sender could not be verified' },
    ]);
    expect((await world.store.listMeetings()).items).toEqual([
      expect.objectContaining({ state: 'unverified', itemCount: 0 }),
    ]);
    expect(
      await world.store.listMeetingItems(outcomes[0]?.outcome === 'unverified' ? outcomes[0].meetingId : ''),
    ).toEqual([]);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(world.sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
    expect([...world.objects.keys()].filter((key) => key.startsWith('raw/'))).toHaveLength(1);
  });

  it('[R4] acts on a sender whose domain publishes no DMARC record when SPF passed for an aligned envelope sender', async () => {
    const outcomes = await handler(withVerdicts({ ...noDmarc, spfVerdict: 'PASS' }), lambdaContext());

    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'ingested', meetingId })]);
  });

  it('[R4] does not act on an SPF pass for an envelope sender of another domain', async () => {
    const unaligned = withVerdicts({ ...noDmarc, spfVerdict: 'PASS' }, (mail) => {
      mail.source = 'bounce-8812@mailer.example';
    });

    expect(await handler(unaligned, lambdaContext())).toEqual([expect.objectContaining({ outcome: 'unverified' })]);
  });

  it('[R4] acts on a sender whose domain publishes no DMARC record when DKIM passed for the From domain', async () => {
    const outcomes = await handler(withVerdicts({ ...noDmarc, dkimVerdict: 'PASS' }), lambdaContext());

    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'ingested', meetingId })]);
  });

  it('[R4] does not act on a DKIM pass when a signature of another domain rides along', async () => {
    const twoSigners = withVerdicts({ ...noDmarc, dkimVerdict: 'PASS' }, (mail) => {
      mail.headers.splice(1, 0, { name: 'DKIM-Signature', value: 'v=1; a=rsa-sha256; d=mailer.example; s=k1; b=x' });
    });

    expect(await handler(twoSigners, lambdaContext())).toEqual([expect.objectContaining({ outcome: 'unverified' })]);
  });

  it('[R4] reads From from commonHeaders when SES truncated the headers', async () => {
    const truncated = withVerdicts({}, (mail) => {
      mail.headersTruncated = true;
      mail.headers = mail.headers.slice(0, 3);
    });

    expect(await handler(truncated, lambdaContext())).toEqual([expect.objectContaining({ outcome: 'ingested' })]);
  });

  it('[R4] does not act on a DMARC pass for an event whose From names two people', async () => {
    const two = withVerdicts({}, (mail) => {
      setHeader(mail, 'From', 'Dana Whitfield <dana.whitfield@acme-sales.example>, CEO <ceo@acme-sales.example>');
    });

    expect(await handler(two, lambdaContext())).toEqual([expect.objectContaining({ outcome: 'unverified' })]);
  });

  it('[R5] drops mail from a domain the deployment does not name: raw kept, nothing stored, nothing sent', async () => {
    const northwindOnly = createSesInboundHandler({
      ingest: { ...world.deps, config: { ...world.deps.config, allowedSenderDomains: ['northwind-sales.example'] } },
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
    });

    const outcomes = await northwindOnly(event, lambdaContext());

    expect(outcomes).toEqual([{ outcome: 'dropped', reason: 'the sender’s domain is not an allowed sender domain' }]);
    expect((await world.store.listMeetings()).items).toEqual([]);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(world.sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
    expect([...world.objects.keys()].filter((key) => key.startsWith('raw/'))).toHaveLength(1);
  });

  it('[R6] keeps an auto-reply and answers nothing: no meeting, no schedule, no mail', async () => {
    const text = new TextDecoder().decode(notesEmail);
    world.putObject(`inbound/${sesMessageId}`, Buffer.from(`Auto-Submitted: auto-replied\r\n${text}`));

    const outcomes = await handler(event, lambdaContext());

    expect(outcomes).toEqual([{ outcome: 'ignored', detail: 'it was sent automatically (Auto-Submitted)' }]);
    expect((await world.store.listMeetings()).items).toEqual([]);
    expect(world.schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(world.sesMock.commandCalls(SendRawEmailCommand)).toHaveLength(0);
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
    const written = captureLogs();
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
