import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryFeedbackHandler } from '../../../functions/handlers/delivery-feedback';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { mailRef } from '../../../functions/use-cases/outgoing';
import { sendDigest } from '../../../functions/use-cases/send-digest';
import { sendTooLargeNotice } from '../../../functions/use-cases/send-limit-notice';
import { sendWeekly } from '../../../functions/use-cases/send-weekly';
import { sendWrapup } from '../../../functions/use-cases/send-wrapup';
import { fixtureEvent } from '../../support/aws-world';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

const dana = { address: 'dana.whitfield@acme-sales.example', name: 'Dana Whitfield' };
const marcus = { address: 'marcus.reid@acme-sales.example', name: 'Marcus Reid' };

type SnsEvent = { Records: Array<{ Sns: { Message: string; MessageId: string } }> };

/** The SES feedback records of the fixtures, with the address (and name) they name moved onto someone of ours. */
const feedbackFor = (
  fixture: 'ses-feedback-bounce.json' | 'ses-feedback-complaint.json' | 'ses-feedback-transient-bounce.json',
  to: { address: string; name: string },
): string => {
  const named = {
    'ses-feedback-bounce.json': { address: 'jordan.lee@example.com', name: 'Jordan Lee' },
    'ses-feedback-complaint.json': { address: 'sam.whitfield@example.com', name: 'Sam Whitfield' },
    'ses-feedback-transient-bounce.json': { address: 'dana.okafor@example.com', name: 'Dana Okafor' },
  }[fixture];
  return JSON.stringify(fixtureEvent(fixture)).replaceAll(named.address, to.address).replaceAll(named.name, to.name);
};

/** The SNS delivery of the sample topic, carrying these SES records: what the feedback Lambda is invoked with. */
const snsDelivery = (...messages: string[]): SnsEvent => {
  const sample = fixtureEvent<SnsEvent>('sns-ses-feedback-bounce.json');
  const [record] = sample.Records;
  if (record === undefined) throw new Error('the sample has no record');
  return {
    Records: messages.map((Message, i) => ({ ...record, Sns: { ...record.Sns, Message, MessageId: `sns-${i}` } })),
  };
};

describe('bounces and complaints suppress an address', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let handler: ReturnType<typeof createDeliveryFeedbackHandler>;
  let seriesId: string;
  let firstMeeting: string;
  let latestMeeting: string;

  const ingest = async (name: string, at: string) => {
    world.clock.set(at);
    const result = await ingestEmail(world.deps, fixtureBytes(name));
    if (result.outcome !== 'ingested') throw new Error(`${name} should ingest`);
    return result;
  };
  /** Dana's 1:1s with Marcus (12 and 19 Nov) and Priya (17 Nov): she manages both, and all three own items. */
  const ingestLoop = async () => {
    firstMeeting = (await ingest('loop/01-dana-marcus-nov12.eml', '2026-11-12T21:00:00Z')).meeting.id;
    await ingest('loop/02-dana-priya-nov17.eml', '2026-11-17T16:10:00Z');
    const latest = await ingest('loop/03-dana-marcus-nov19.eml', '2026-11-19T21:15:00Z');
    seriesId = latest.series.id;
    latestMeeting = latest.meeting.id;
  };
  const outbox = async () => (await world.outbox()).map((m) => `${m.kind} to ${m.to.join()}`).sort();
  const parsed = async (kind: string, to: string): Promise<Email> => {
    const entry = (await world.outbox()).find((m) => m.kind === kind && m.to.includes(to));
    return PostalMime.parse(await readFile(entry?.file ?? ''));
  };

  beforeAll(async () => {
    worlds = await startWorlds();
  });
  afterAll(async () => {
    await worlds.close();
  });
  beforeEach(async () => {
    world = await worlds.world('2026-11-12T21:00:00Z');
    handler = createDeliveryFeedbackHandler({ feedback: { store: world.store, clock: world.clock } });
    await ingestLoop();
  });
  afterEach(async () => {
    await world.dispose();
  });

  describe('the feedback Lambda, fed SES events by SNS', () => {
    it('[R16] a permanent bounce suppresses the address', async () => {
      const result = await handler(snsDelivery(feedbackFor('ses-feedback-bounce.json', marcus)));

      expect(result).toEqual({ suppressed: 1, skipped: 0 });
      expect(await world.store.getSuppression(marcus.address)).toMatchObject({
        address: marcus.address,
        reason: 'bounce',
        detail: 'Permanent/General',
      });
      expect(await world.store.getSuppression(dana.address)).toBeNull();
    });

    it('[R16] a complaint suppresses the address', async () => {
      const result = await handler(snsDelivery(feedbackFor('ses-feedback-complaint.json', marcus)));

      expect(result).toEqual({ suppressed: 1, skipped: 0 });
      expect(await world.store.getSuppression(marcus.address)).toMatchObject({ reason: 'complaint', detail: 'abuse' });
    });

    it('[R16] a transient bounce suppresses nothing, and the next weekly digest still goes', async () => {
      const result = await handler(snsDelivery(feedbackFor('ses-feedback-transient-bounce.json', marcus)));
      world.clock.set('2026-11-23T13:00:00Z');

      await sendWeekly(world.deps, marcus.address);

      expect(result).toEqual({ suppressed: 0, skipped: 0 });
      expect(await world.store.getSuppression(marcus.address)).toBeNull();
      expect(await outbox()).toEqual([`weekly to ${marcus.address}`]);
    });
  });

  describe('after a permanent bounce', () => {
    beforeEach(async () => {
      await handler(snsDelivery(feedbackFor('ses-feedback-bounce.json', marcus)));
    });

    it('[R16] the wrap-up goes to the other attendee only', async () => {
      world.clock.set('2026-11-19T22:00:00Z');

      const result = await sendWrapup(world.deps, latestMeeting);

      expect(await outbox()).toEqual([`wrapup to ${dana.address}`]);
      expect(result).toMatchObject({ outcome: 'sent', to: [dana.address] });
    });

    it('[R16] the weekly digest sends nothing to that address, and records nothing as sent; the other person’s goes', async () => {
      world.clock.set('2026-11-23T13:00:00Z');

      const toMarcus = await sendWeekly(world.deps, marcus.address);
      await sendWeekly(world.deps, dana.address);

      expect(toMarcus.weekly).toBe('suppressed');
      expect(await outbox()).toEqual([`rollup to ${dana.address}`, `weekly to ${dana.address}`]);
      expect(await world.store.getOutbox(mailRef('weekly', marcus.address, '2026-11-23'))).toBeNull();
    });

    it('[R16] a reply from that address still changes its item, but no confirmation goes back', async () => {
      world.clock.set('2026-11-12T21:40:00Z');
      await sendWrapup(world.deps, firstMeeting);
      const wrapup = await parsed('wrapup', dana.address);
      const reply = [
        `From: Marcus Reid <${marcus.address}>`,
        'To: followthrough <notes@followthrough.example>',
        `Subject: Re: ${wrapup.subject}`,
        'Date: Thu, 12 Nov 2026 17:40:21 -0500',
        'Message-ID: <CAH2reply-suppressed@mail.acme-sales.example>',
        `In-Reply-To: ${wrapup.messageId}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset="utf-8"',
        '',
        'done 1',
        '',
      ].join('\r\n');

      const result = await ingestEmail(world.deps, new TextEncoder().encode(reply));

      expect(result).toMatchObject({ outcome: 'reply', confirmation: 'suppressed' });
      expect((await world.store.getItem(firstMeeting, 1))?.status).toBe('done');
      expect(await outbox()).toEqual([`wrapup to ${dana.address}`]);
    });

    it('[R16] a notice about an oversized email sends nothing to that address', async () => {
      const headers = [
        `From: Marcus Reid <${marcus.address}>`,
        'To: followthrough <notes@followthrough.example>',
        'Subject: Notes with the whole deck attached',
        'Date: Thu, 19 Nov 2026 16:10:00 -0500',
        'Message-ID: <huge-notes@mail.acme-sales.example>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset="utf-8"',
        '',
        'x',
      ].join('\r\n');

      const outcome = await sendTooLargeNotice(world.deps, new TextEncoder().encode(headers), true);

      expect(outcome).toBe('suppressed');
      expect(await outbox()).toEqual([]);
    });
  });

  describe('after a complaint', () => {
    it('[R16] the pre-meeting digest goes to the other attendee only', async () => {
      await handler(snsDelivery(feedbackFor('ses-feedback-complaint.json', marcus)));
      world.clock.set('2026-11-26T13:00:00Z');

      const toMarcus = await sendDigest(world.deps, { seriesId, recipient: marcus.address, meetingDate: '2026-11-26' });
      await sendDigest(world.deps, { seriesId, recipient: dana.address, meetingDate: '2026-11-26' });

      expect(toMarcus).toEqual({ outcome: 'suppressed' });
      expect(await outbox()).toEqual([`digest to ${dana.address}`]);
    });

    it('[R16] a manager who complained gets neither the weekly digest nor the roll-up; her reports still get theirs', async () => {
      await handler(snsDelivery(feedbackFor('ses-feedback-complaint.json', dana)));
      world.clock.set('2026-11-23T13:00:00Z');

      const toDana = await sendWeekly(world.deps, dana.address);
      await sendWeekly(world.deps, marcus.address);

      expect(toDana).toEqual({ weekly: 'suppressed', rollup: 'suppressed' });
      expect(await outbox()).toEqual([`weekly to ${marcus.address}`]);
    });

    it('[R16] the suppression matches the address whatever case the mail was sent to it in', async () => {
      await handler(
        snsDelivery(
          feedbackFor('ses-feedback-complaint.json', {
            address: 'Marcus.Reid@ACME-Sales.example',
            name: 'Marcus Reid',
          }),
        ),
      );
      world.clock.set('2026-11-19T22:00:00Z');

      await sendWrapup(world.deps, latestMeeting);

      expect(await outbox()).toEqual([`wrapup to ${dana.address}`]);
    });
  });
});
