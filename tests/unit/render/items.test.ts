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
