import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionLinksHandler } from '../../../functions/handlers/action-links';
import { createScheduledSendLambda } from '../../../functions/handlers/scheduled-send';
import { createSesInboundHandler } from '../../../functions/handlers/ses-inbound';
import { type AwsWorld, fixtureEvent, lambdaContext, startAwsWorlds } from '../../support/aws-world';

const loop = join(import.meta.dirname, '../../fixtures/emails/loop');
const receipt = fixtureEvent<{ Records: Array<{ ses: { mail: { messageId: string } } }> }>('ses-receipt.json');
const wrapupFiring = fixtureEvent<{ job: { meetingId: string } }>('scheduler-wrapup.json');
const linkRequest = fixtureEvent<{ rawPath: string; requestContext: { http: { method: string } } }>(
  'http-api-action-link.json',
);
const marcus = 'marcus.reid@acme-sales.example';

/** The receipt event SES would send for the message it stored under `messageId`. */
function receiptFor(messageId: string) {
  const event = structuredClone(receipt);
  const [record] = event.Records;
  if (record !== undefined) record.ses.mail.messageId = messageId;
  return event;
}

/**
 * The loop on the AWS handlers, each with its sample event: notes by SES → the wrap-up fired by Scheduler and sent
 * by SES → a Done link opened from it on the HTTP API → a reply to SES's own Message-ID → the confirmation.
 */
describe('the loop on the AWS handlers', () => {
  let worlds: Awaited<ReturnType<typeof startAwsWorlds>>;
  let world: AwsWorld;

  beforeAll(async () => {
    worlds = await startAwsWorlds();
    world = await worlds.world('2026-11-12T21:00:03Z');
  });
  afterAll(async () => {
    await worlds.close();
  });

  const inbound = () =>
    createSesInboundHandler({
      ingest: world.deps,
      inboundPrefix: 'inbound/',
      persistenceStore: world.persistenceStore,
    });
  const mailTo = async (address: string) =>
    (await world.sentMail()).filter((m) => m.input.Destinations?.includes(address));

  it('takes the notes from the SES inbox', async () => {
    world.putObject('inbound/notes-1', readFileSync(join(loop, '01-dana-marcus-nov12.eml')));

    expect(await inbound()(receiptFor('notes-1'), lambdaContext())).toEqual([
      expect.objectContaining({ outcome: 'ingested', meetingId: wrapupFiring.job.meetingId }),
    ]);
  });

  it('sends the wrap-up when its schedule fires', async () => {
    world.clock.set('2026-11-12T21:30:04Z');
    await createScheduledSendLambda({ outgoing: world.deps, persistenceStore: world.persistenceStore })(
      wrapupFiring,
      lambdaContext(),
    );

    expect(await mailTo(marcus)).toHaveLength(1);
  });

  it('closes an item from the Done link in Marcus’s wrap-up', async () => {
    world.clock.set(new Date());
    const [wrapup] = await mailTo(marcus);
    const href = /https:\/\/[^\s"]+\/a\/([A-Za-z0-9_.-]+)/.exec(wrapup?.email.text ?? '');
    const token = href?.[1] ?? '';
    const links = createActionLinksHandler({ links: world.deps, baseUrl: world.deps.config.baseUrl });
    const post = structuredClone(linkRequest);
    post.rawPath = `/a/${token}`;
    post.requestContext.http.method = 'POST';

    const result = await links(post);

    expect(result.statusCode).toBe(200);
    const items = await world.store.listMeetingItems(wrapupFiring.job.meetingId);
    expect(items.filter((item) => item.status === 'done')).toHaveLength(1);
  });

  it('applies a reply to the Message-ID SES gave the wrap-up and sends a threaded confirmation', async () => {
    const [wrapup] = await mailTo(marcus);
    const record = await world.store.findSentMailByMessageId(
      (await world.store.getSentMail(/\[ft-([a-z2-7]{16})\]/.exec(wrapup?.email.subject ?? '')?.[1] ?? ''))
        ?.messageId ?? '',
    );
    const sesId = record?.messageId ?? '';
    const reply = [
      'From: Marcus Reid <marcus.reid@acme-sales.example>',
      'To: notes@followthrough.example',
      'Subject: Re: the wrap-up',
      'Date: Fri, 13 Nov 2026 09:00:00 -0500',
      'Message-ID: <reply-1@mail.acme-sales.example>',
      `In-Reply-To: ${sesId}`,
      `References: ${sesId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'drop 2',
      '',
    ].join('\r\n');
    world.putObject('inbound/reply-1', Buffer.from(reply));

    const [outcome] = await inbound()(receiptFor('reply-1'), lambdaContext());

    expect(outcome).toEqual({ outcome: 'applied-reply', detail: expect.stringMatching(/^1 changed/) });
    const confirmation = (await mailTo(marcus)).at(-1);
    expect(confirmation?.email.inReplyTo).toBe('<reply-1@mail.acme-sales.example>');
    expect(confirmation?.email.text).toMatch(/dropped/i);
  });
});
