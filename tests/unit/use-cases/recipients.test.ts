import { readFile } from 'node:fs/promises';
import PostalMime, { type Email } from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduledSendHandler } from '../../../functions/handlers/scheduled-send';
import { ingestEmail } from '../../../functions/use-cases/ingest-email';
import { fixtureBytes } from '../../support/fixtures';
import { startWorlds, type UseCaseWorld } from '../../support/use-case-deps';

/*
 * [R15] Mail goes to the people of a meeting and to no one else. Notes are full of other addresses — an owner who
 * was not there, "cc: legal@…", a forwarded thread quoted in the body, the notes inbox itself — and a reply can hand
 * an item to anyone by address. The whole loop runs here on the local adapters (wrap-up, reply, digest, weekly
 * digest and roll-up, fired by the scheduler as the clock moves) and the outbox is read back.
 */

const inbox = 'notes@followthrough.example';
const dana = 'dana.whitfield@acme-sales.example';
const marcus = 'marcus.reid@acme-sales.example';
const priya = 'priya.natarajan@acme-sales.example';
const jordan = 'jordan.lee@acme-sales.example';
/** Named in the notes, and never at the Dana / Marcus 1:1. */
const mentioned = [
  'alex@other.example',
  'legal@acme-sales.example',
  jordan,
  'pat@partner.example',
  'lee.chen@vendor.example',
  priya,
];

/** Dana forwards her notes of the 1:1 with Marcus; the notes and the thread below them name six other addresses. */
const forwardedNotes = `From: Dana Whitfield <${dana}>
To: ${inbox}
Cc: Alex Kim <alex@other.example>
Subject: Fwd: 1:1 Dana / Marcus
Date: Thu, 12 Nov 2026 16:20:00 -0500
Message-ID: <r15-notes@mail.acme-sales.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

For the record. Please send these to alex@other.example too.

---------- Forwarded message ---------
From: Dana Whitfield <${dana}>
Date: Thu, Nov 12, 2026 at 3:50 PM
Subject: 1:1 Dana / Marcus
To: Marcus Reid <${marcus}>
Cc: ${inbox}

Marcus,

Action items
- alex@other.example: send the security questionnaire by Friday
- Marcus: send Initech the revised quote by Monday 11/16, cc: legal@acme-sales.example
- Dana: introduce Marcus to the Globex VP by Friday
- Marcus: share the Q1 territory map with ${priya} by Friday

Cc: ${jordan}
Questions to pat@partner.example or ${inbox}.
Next 1:1 Thu 11/19.

-----Original Message-----
From: Lee Chen <lee.chen@vendor.example>
To: Marcus Reid <${marcus}>
Subject: pricing

Can you confirm the price by Friday?

Dana
`.replace(/\n/g, '\r\n');

/** Dana's 1:1 with Jordan, where Jordan takes on nothing: without the reply below, Jordan owns no open item. */
const jordanNotes = `From: Dana Whitfield <${dana}>
To: Jordan Lee <${jordan}>
Cc: ${inbox}
Subject: 1:1 Dana / Jordan
Date: Mon, 16 Nov 2026 11:00:00 -0500
Message-ID: <r15-jordan@mail.acme-sales.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Action items
- Dana: book the onboarding session for Jordan by Friday

Dana
`.replace(/\n/g, '\r\n');

/** Dana hands two of the Marcus meeting's items to people who were not there, by address. */
function reassigning(wrapup: Email): string {
  return `From: Dana Whitfield <${dana}>
To: followthrough <${inbox}>
Subject: Re: ${wrapup.subject}
Date: Thu, 12 Nov 2026 17:40:00 -0500
Message-ID: <r15-reply@mail.acme-sales.example>
In-Reply-To: ${wrapup.messageId}
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

${numberOf(wrapup, 'Introduce Marcus to the Globex VP')} owner ${jordan}
${numberOf(wrapup, 'Share the Q1 territory map')} owner ${priya}
`.replace(/\n/g, '\r\n');
}

function numberOf(email: Email, text: string): string {
  const match = new RegExp(`^(\\d+)\\. ${text}`, 'm').exec(email.text ?? '');
  if (match?.[1] === undefined) throw new Error(`no item "${text}" in the wrap-up`);
  return match[1];
}

describe('[R15] who gets mail when the notes name other addresses', () => {
  let worlds: Awaited<ReturnType<typeof startWorlds>>;
  let world: UseCaseWorld;
  let marcusMeeting: string;
  /** Every mail sent, in order, parsed, with the step that sent it. */
  const sent: { step: string; kind: string; to: string[]; email: Email }[] = [];

  const run = () => createScheduledSendHandler(world.deps);
  const step = async (name: string, act: () => Promise<unknown>) => {
    const before = (await world.outbox()).length;
    await act();
    const fresh = (await world.outbox()).slice(before);
    for (const entry of fresh) {
      sent.push({
        step: name,
        kind: entry.kind,
        to: entry.to,
        email: await PostalMime.parse(await readFile(entry.file)),
      });
    }
  };
  const tick = (to: string) => async () => {
    world.clock.set(to);
    await world.deps.scheduler.runDue(world.clock.now(), run());
  };
  const ingest = (raw: string | Uint8Array, at: string) => async () => {
    world.clock.set(at);
    return ingestEmail(world.deps, typeof raw === 'string' ? new TextEncoder().encode(raw) : raw);
  };
  const recipientsOf = (name: string) => [...new Set(sent.filter((m) => m.step === name).flatMap((m) => m.to))].sort();
  const meetingOf = (email: Email) => email.headers.find((h) => h.key === 'x-followthrough-meeting')?.value;

  beforeAll(async () => {
    worlds = await startWorlds();
    world = await worlds.world('2026-11-12T21:00:00Z');
    await step('notes', async () => {
      const result = await ingest(forwardedNotes, '2026-11-12T21:30:00Z')();
      if (result.outcome !== 'ingested') throw new Error(`the notes were ${result.outcome}`);
      marcusMeeting = result.meeting.id;
    });
    await step('wrap-up', tick('2026-11-12T22:01:00Z'));
    const wrapup = sent.find((m) => m.step === 'wrap-up' && m.to.includes(dana));
    if (wrapup === undefined) throw new Error('no wrap-up to Dana');
    await step('reply', ingest(reassigning(wrapup.email), '2026-11-12T22:40:00Z'));
    // Jordan and Priya each get a 1:1 of their own with Dana, so each has a weekly digest of their own.
    await step('jordan notes', ingest(jordanNotes, '2026-11-16T16:10:00Z'));
    await step('priya notes', ingest(fixtureBytes('loop/02-dana-priya-nov17.eml'), '2026-11-17T16:10:00Z'));
    await step('digest', tick('2026-11-19T13:00:00Z'));
    await step('weekly', tick('2026-11-23T13:00:00Z'));
  });

  afterAll(async () => {
    await world?.dispose();
    await worlds?.close();
  });

  it('[R15] takes only the forwarded mail’s From and To as attendees, not the inbox or anyone the notes name', async () => {
    const meeting = await world.store.getMeeting(marcusMeeting);

    expect(meeting?.attendees.map((p) => p.address).sort()).toEqual([dana, marcus]);
  });

  it('[R15] sends the wrap-up to Dana and Marcus and to no address the notes mention', () => {
    expect(sent.filter((m) => m.step === 'wrap-up').map((m) => m.to)).toEqual(
      expect.arrayContaining([[dana], [marcus]]),
    );
    expect(recipientsOf('wrap-up')).toEqual([dana, marcus]);
  });

  it('[R15] answers the reply that hands items to others to Dana alone', () => {
    expect(sent.filter((m) => m.step === 'reply').map((m) => ({ kind: m.kind, to: m.to }))).toEqual([
      { kind: 'confirmation', to: [dana] },
    ]);
  });

  it('[R15] sends the pre-meeting digest to Dana and Marcus only', () => {
    const digests = sent.filter((m) => m.kind === 'digest' && m.email.text?.includes('Initech the revised quote'));

    expect(digests.map((m) => m.to).sort()).toEqual([[dana], [marcus]]);
  });

  it('[R15] sends no weekly digest to someone whose only open item is from a meeting they did not attend', () => {
    expect(sent.filter((m) => m.kind === 'weekly' && m.to.includes(jordan))).toEqual([]);
  });

  it("[R15] lists in a weekly digest only items of its recipient's own meetings", () => {
    const toPriya = sent.filter((m) => m.kind === 'weekly' && m.to.includes(priya));

    expect(toPriya).toHaveLength(1);
    expect(toPriya[0]?.email.text).toContain('Send me the Hooli pilot summary');
    expect(toPriya[0]?.email.text).not.toContain('Q1 territory map');
  });

  it('[R15] mails about the Dana / Marcus meeting reach Dana and Marcus only', () => {
    const aboutIt = sent.filter(
      (m) =>
        meetingOf(m.email) === marcusMeeting ||
        /Initech the revised quote|Globex VP|security questionnaire|Q1 territory map/.test(m.email.text ?? ''),
    );

    expect(aboutIt.length).toBeGreaterThanOrEqual(6);
    expect([...new Set(aboutIt.flatMap((m) => m.to))].sort()).toEqual([dana, marcus]);
  });

  it('[R15] sends nothing, over the whole loop, to the inbox or to any address only mentioned in the notes', () => {
    const everyone = [...new Set(sent.flatMap((m) => m.to))].sort();

    expect(everyone).toEqual([dana, jordan, marcus, priya].sort());
    // Priya and Jordan get mail only from their own 1:1s with Dana.
    expect(everyone).not.toContain(inbox);
    for (const address of mentioned.filter((a) => a !== priya && a !== jordan)) expect(everyone).not.toContain(address);
  });
});
