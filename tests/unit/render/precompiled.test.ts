import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import type { ItemFlag, Person, StoredItem } from '../../../functions/domain/model';
import { renderConfirmationMail } from '../../../functions/domain/render/confirmation';
import { renderDigestMail } from '../../../functions/domain/render/digest';
import type { TemplateFill } from '../../../functions/domain/render/fill';
import type { LinkFor, ListedItem, RenderedMail } from '../../../functions/domain/render/inputs';
import { type NoticeReason, renderNoticeMail } from '../../../functions/domain/render/notice';
import { renderRollupMail } from '../../../functions/domain/render/rollup';
import { renderWeeklyMail } from '../../../functions/domain/render/weekly';
import { renderWrapupMail } from '../../../functions/domain/render/wrapup';
import { confirmationHtml } from '../../../templates/compiled/confirmation';
import { digestHtml } from '../../../templates/compiled/digest';
import { noticeHtml } from '../../../templates/compiled/notice';
import { rollupHtml } from '../../../templates/compiled/rollup';
import { weeklyHtml } from '../../../templates/compiled/weekly';
import { wrapupHtml } from '../../../templates/compiled/wrapup';
import {
  danaDigest,
  danaRollup,
  danaWeekly,
  linkFor,
  marcusConfirmation,
  unsubscribeUrlFor,
} from '../../support/mail-fixtures';
import { dana, marcus, pipelineItems, storedItems, weeklyOneOnOne } from '../../support/wrapup-fixtures';

/*
 * Every kind of mail, rendered with the fill function scripts/build-templates.ts generates (what the Lambdas run)
 * and with Mustache.render of the same compiled HTML (what they ran before): the same subject, HTML and text, byte
 * for byte, for the fixtures, for every XSS payload in every field people type, and for generated inputs.
 */

const mustache =
  (html: string): TemplateFill =>
  (view) =>
    Mustache.render(html, view);

interface Kind<Input> {
  name: string;
  render: (input: Input, fill?: TemplateFill) => RenderedMail;
  html: string;
}

function bothWays<Input>(kind: Kind<Input>, input: Input): { precompiled: RenderedMail; reference: RenderedMail } {
  return { precompiled: kind.render(input), reference: kind.render(input, mustache(kind.html)) };
}

const wrapup: Kind<Parameters<typeof renderWrapupMail>[0]> = {
  name: 'wrapup',
  render: renderWrapupMail,
  html: wrapupHtml,
};
const digest: Kind<Parameters<typeof renderDigestMail>[0]> = {
  name: 'digest',
  render: renderDigestMail,
  html: digestHtml,
};
const weekly: Kind<Parameters<typeof renderWeeklyMail>[0]> = {
  name: 'weekly',
  render: renderWeeklyMail,
  html: weeklyHtml,
};
const rollup: Kind<Parameters<typeof renderRollupMail>[0]> = {
  name: 'rollup',
  render: renderRollupMail,
  html: rollupHtml,
};
const confirmation: Kind<Parameters<typeof renderConfirmationMail>[0]> = {
  name: 'confirmation',
  render: renderConfirmationMail,
  html: confirmationHtml,
};
const notice: Kind<Parameters<typeof renderNoticeMail>[0]> = {
  name: 'notice',
  render: renderNoticeMail,
  html: noticeHtml,
};

const payloads = readFileSync(join(import.meta.dirname, '../../fixtures/xss-payloads.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('# '));

/** Words as notes, names and subjects carry them: whitespace of every kind, markup, Mustache tags, astral characters. */
const piece = fc.constantFrom(
  'Send',
  'the',
  'Globex',
  'plan',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\u202e',
  '\u0000',
  '<b>',
  '&amp;',
  '"',
  "'",
  '`',
  '=',
  '/',
  '{{title}}',
  '{{{preview}}}',
  '😀',
  'é',
  'Reid, Marcus',
  'x'.repeat(90),
  ...payloads.slice(0, 8),
);
const words = fc.array(piece, { maxLength: 10 }).map((parts) => parts.join(''));
const date = fc.constantFrom('2026-11-12', '2026-11-19', '2027-01-08', '2026-02-30', '0099-01-01', 'soon', '');
const person: fc.Arbitrary<Person> = fc.record({
  address: fc.constantFrom(marcus.address, marcus.address.toUpperCase(), dana.address, 'priya@acme.example'),
  name: fc.option(words, { nil: null }),
});
const links: LinkFor = (item, action) =>
  [
    `https://ft.acme.example/a/tok-${item.seq}-${action}`,
    `http://127.0.0.1:8787/a/tok.${item.seq}.${action}`,
    `https://FT.acme.example:443/a/./tok-${item.seq}?x=<"${action}">`,
  ][item.seq % 3] as string;
const flags = fc.subarray<ItemFlag>(['no-owner', 'no-date', 'owner-not-attendee', 'ambiguous-date']);

function storedItem(seq: number): fc.Arbitrary<StoredItem> {
  return fc
    .record({
      text: words,
      owner: fc.option(fc.constantFrom(marcus.address, dana.address.toUpperCase(), 'Priya', '  Jo  Ann '), {
        nil: null,
      }),
      ownerName: fc.option(words, { nil: null }),
      due: fc.option(date, { nil: null }),
      dueSource: fc.option(words, { nil: null }),
      flags,
      status: fc.constantFrom('open', 'open', 'done'),
      section: fc.constantFrom('action', 'growth', 'agenda'),
    })
    .map((spec) => {
      const [base] = storedItems([{ text: spec.text, owner: spec.owner, due: spec.due, flags: spec.flags }]);
      return { ...(base as StoredItem), ...spec, seq };
    });
}

function listed(count: number): fc.Arbitrary<ListedItem[]> {
  return fc.tuple(
    ...Array.from({ length: count }, (_, index) =>
      fc.record({
        number: fc.constant(index + 1),
        item: storedItem(index + 1),
        overdue: fc.boolean(),
        daysOverdue: fc.nat(30),
        stalled: fc.boolean(),
        meetingsOpen: fc.nat(4),
        counterpart: fc.option(person, { nil: null }),
      }),
    ),
  );
}

function expectSame(mails: { precompiled: RenderedMail; reference: RenderedMail }): void {
  expect(mails.precompiled.html).toBe(mails.reference.html);
  expect(mails.precompiled.text).toBe(mails.reference.text);
  expect(mails.precompiled.subject).toBe(mails.reference.subject);
}

const runs = { numRuns: 150, seed: 20_261_112 };

describe('the precompiled fill of every mail', () => {
  it('writes the fixtures’ mails as Mustache.render does', () => {
    // Prepare
    const inputs = [
      () => bothWays(wrapup, { meeting: weeklyOneOnOne(), items: storedItems(pipelineItems), links: linkFor }),
      () => bothWays(wrapup, { meeting: weeklyOneOnOne(), items: [], links: linkFor }),
      () => bothWays(digest, danaDigest()),
      () => bothWays(digest, danaDigest({ open: [], agenda: [], growth: [], topics: [] })),
      () => bothWays(weekly, danaWeekly()),
      () => bothWays(rollup, danaRollup()),
      () => bothWays(rollup, danaRollup({ reports: [] })),
      () => bothWays(confirmation, marcusConfirmation()),
      () => bothWays(confirmation, marcusConfirmation({ applied: [], refused: [], notUnderstood: [] })),
      () =>
        bothWays(notice, { to: marcus, about: 'Notes', reason: { kind: 'too-large', bytes: 3e7, limitBytes: 1e7 } }),
    ];

    // Act
    const mails = inputs.map((render) => render());

    // Assess
    for (const mail of mails) expectSame(mail);
  });

  it('writes every XSS payload, in every field people type, as Mustache.render does', () => {
    // Prepare
    const named = (name: string): Person => ({ address: marcus.address, name });

    // Act
    const mails = payloads.flatMap((payload) => {
      const items = storedItems(pipelineItems).map((item) => ({ ...item, text: `${item.text} ${payload}` }));
      return [
        bothWays(wrapup, {
          meeting: weeklyOneOnOne({ subject: payload, attendees: [named(payload), dana] }),
          items: items.map((item) => ({ ...item, dueSource: payload, ownerName: payload })),
          links: linkFor,
        }),
        bothWays(digest, danaDigest({ topics: [payload] })),
        bothWays(weekly, danaWeekly({ person: named(payload) })),
        bothWays(rollup, danaRollup({ manager: named(payload) })),
        bothWays(confirmation, marcusConfirmation({ about: payload, notUnderstood: [payload] })),
        bothWays(notice, { to: named(payload), about: payload, reason: { kind: 'cuts', cuts: [] } }),
      ];
    });

    // Assess
    for (const mail of mails) expectSame(mail);
  });

  it('writes generated wrap-ups as Mustache.render does', () => {
    // Prepare
    const input = fc.record({
      subject: words,
      date,
      attendees: fc.array(person, { minLength: 1, maxLength: 3 }),
      items: fc.nat(6).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => storedItem(i + 1)))),
    });

    // Act
    const check = () =>
      fc.assert(
        fc.property(input, ({ subject, date: day, attendees, items }) => {
          expectSame(bothWays(wrapup, { meeting: weeklyOneOnOne({ subject, date: day, attendees }), items, links }));
        }),
        runs,
      );

    // Assess
    expect(check).not.toThrow();
  });

  it('writes generated digests and weekly digests as Mustache.render does', () => {
    // Prepare
    const input = fc.record({
      day: date,
      members: fc.array(person, { minLength: 1, maxLength: 2 }),
      open: fc.nat(4).chain(listed),
      agenda: fc.nat(2).chain(listed),
      growth: fc.nat(2).chain(listed),
      topics: fc.array(words, { maxLength: 2 }),
      person,
    });

    // Act
    const check = () =>
      fc.assert(
        fc.property(input, ({ day, members, open, agenda, growth, topics, person: owner }) => {
          const series = { ...danaDigest().series, members };
          expectSame(bothWays(digest, danaDigest({ series, meetingDate: day, open, agenda, growth, topics, links })));
          const items = [...open, ...agenda, ...growth];
          if (items.length > 0) expectSame(bothWays(weekly, danaWeekly({ person: owner, today: day, items, links })));
        }),
        runs,
      );

    // Assess
    expect(check).not.toThrow();
  });

  it('writes generated roll-ups, confirmations and notices as Mustache.render does', () => {
    // Prepare
    const report = fc.record({
      report: person,
      seriesId: fc.constant('ser_1'),
      open: fc.nat(9),
      overdue: fc.nat(9),
      stalled: fc.nat(9),
      oldest: fc.option(fc.record({ text: words, due: fc.option(date, { nil: null }), meetingDate: date }), {
        nil: null,
      }),
    });
    const reason: fc.Arbitrary<NoticeReason> = fc.oneof(
      fc.record({ kind: fc.constant('too-large' as const), bytes: fc.nat(5e7), limitBytes: fc.constant(1e7) }),
      fc.record({
        kind: fc.constant('cuts' as const),
        cuts: fc.array(
          fc.record({ limit: fc.constant('notes-length' as const), total: fc.nat(), kept: fc.nat(), from: words }),
          { maxLength: 2 },
        ),
      }),
    );
    const input = fc.record({
      manager: person,
      today: date,
      reports: fc.array(report, { maxLength: 3 }),
      about: words,
      applied: fc.array(fc.record({ number: fc.nat(20), text: words, change: words }), { maxLength: 3 }),
      refused: fc.array(fc.record({ line: words, reason: words }), { maxLength: 2 }),
      notUnderstood: fc.array(words, { maxLength: 2 }),
      reason,
    });

    // Act
    const check = () =>
      fc.assert(
        fc.property(input, (given) => {
          const { manager, today, reports, about, applied, refused, notUnderstood } = given;
          const unsubscribeUrl = unsubscribeUrlFor(manager.address.toLowerCase(), 'rollup');
          expectSame(bothWays(rollup, { manager, today, reports, unsubscribeUrl }));
          expectSame(bothWays(confirmation, { to: manager, about, applied, refused, notUnderstood }));
          expectSame(bothWays(notice, { to: manager, about, reason: given.reason }));
        }),
        runs,
      );

    // Assess
    expect(check).not.toThrow();
  });
});
