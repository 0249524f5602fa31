import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FollowthroughError } from '../../../functions/domain/errors';
import { actionLinks, safeHref } from '../../../functions/domain/render/items';
import { linkFor, mailItem, marcus } from '../../support/mail-fixtures';

describe('safeHref', () => {
  it.each(['https://ft.acme.example/a/tok-1', 'http://127.0.0.1:8787/a/tok-mtg_1-2-done'])('lets %s through', (url) => {
    // Prepare
    const href = url;

    // Act
    const checked = safeHref(href);

    // Assess
    expect(checked).toBe(url);
  });

  it.each([
    'javascript:alert(1)',
    ' JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'mailto:dana@acme.example',
    '/a/tok-1',
    'ft.acme.example/a/tok-1',
  ])('refuses %s', (url) => {
    // Prepare
    const href = url;

    // Act
    const check = () => safeHref(href);

    // Assess
    expect(check).toThrow(FollowthroughError);
  });
});

describe('safeHref on generated URLs', () => {
  /** What safeHref did before it let canonical URLs through unparsed: parse, keep http(s), write back. */
  function parsed(url: string): string {
    try {
      const href = new URL(url);
      return href.protocol === 'https:' || href.protocol === 'http:' ? href.href : 'refused';
    } catch {
      return 'refused';
    }
  }

  function checked(url: string): string {
    try {
      return safeHref(url);
    } catch {
      return 'refused';
    }
  }

  it('returns what the URL parser writes back, and refuses what it refuses, link after link', () => {
    // Prepare: URLs near the canonical form and just off it (case, ports, dot segments, IPv4 forms, punycode,
    // characters the parser encodes), in runs, as a mail's links come one after another.
    const oddSegment = fc
      .array(
        fc.constantFrom(
          'a',
          'Z',
          '0',
          '-',
          '.',
          '..',
          '_',
          '~',
          '%2e',
          '%',
          '=',
          '&',
          "'",
          ':',
          '@',
          ' ',
          'é',
          '\\',
          '|',
          '[',
          '^',
          '`',
          '"',
        ),
        {
          maxLength: 5,
        },
      )
      .map((parts) => parts.join(''));
    // Mostly a few plain segments, so that one URL often starts as the one before it did.
    const segment = fc.oneof(fc.constantFrom('a', 'tok-1', 'tok.2', '.', '..', ''), oddSegment);
    const origin = fc
      .tuple(
        fc.constantFrom('https://', 'http://', 'HTTPS://', 'https:/', 'ftp://', 'javascript:'),
        fc.constantFrom(
          'ft.acme.example',
          'ft.acme.example',
          '127.0.0.1',
          'localhost',
          'x1',
          'a.b-c.example',
          'A.example',
          'xn--ls8h.example',
          'xn--zz.example',
          '1.2.3',
          '0x7f.1',
          '01.2.3.4',
          '256.1.1.1',
          'a..b',
          'a.example.',
          '-a.example',
          'ab--c.example',
          'user@ft.example',
        ),
        fc.constantFrom('', ':8787', ':443', ':80', ':65535', ':65536', ':0', ':01'),
      )
      .map((parts) => parts.join(''));
    const path = fc.array(segment, { maxLength: 3 }).map((segments) => segments.map((part) => `/${part}`).join(''));
    const query = fc.constantFrom('', '?', '?a=b&c', '?a/b?c', "?'", '#', '#f/g?h', '#`', '?x#y');
    // A run of links from one place (the same origin and path, a different last segment), with others between.
    const run = fc
      .tuple(origin, path, fc.array(fc.tuple(segment, query), { minLength: 1, maxLength: 5 }))
      .map(([start, middle, ends]) => ends.map(([last, rest]) => `${start}${middle}/${last}${rest}`));
    const urls = fc
      .array(
        fc.oneof(
          run,
          fc.tuple(origin, path, query).map((parts) => [parts.join('')]),
        ),
        { maxLength: 3 },
      )
      .map((runs) => runs.flat());

    // Act
    const check = () =>
      fc.assert(
        fc.property(urls, (hrefs) => hrefs.every((href) => checked(href) === parsed(href))),
        { numRuns: 20_000, seed: 11 },
      );

    // Assess
    expect(check).not.toThrow();
  });
});

describe('actionLinks', () => {
  it('builds one link per action with its label, Done first and primary', () => {
    // Prepare
    const item = mailItem({
      text: 'Send Initech the quote',
      owner: marcus.address,
      due: null,
      agreed: '2026-11-05',
      seq: 1,
    });

    // Act
    const links = actionLinks(item, ['done', 'drop', 'snooze'], linkFor);

    // Assess
    expect(links.map((link) => [link.label, link.url, link.primary])).toEqual([
      ['Done', 'http://127.0.0.1:8787/a/tok-mtg_01JBDANAMARCUS1105-1-done', true],
      ['Drop', 'http://127.0.0.1:8787/a/tok-mtg_01JBDANAMARCUS1105-1-drop', false],
      ['Snooze 1 week', 'http://127.0.0.1:8787/a/tok-mtg_01JBDANAMARCUS1105-1-snooze', false],
    ]);
  });

  it('offers nothing for an item that is already closed', () => {
    // Prepare
    const item = {
      ...mailItem({ text: 'Send Initech the quote', owner: marcus.address, due: null, agreed: '2026-11-05', seq: 1 }),
      status: 'done' as const,
    };

    // Act
    const links = actionLinks(item, ['done', 'drop', 'snooze'], linkFor);

    // Assess
    expect(links).toEqual([]);
  });
});
