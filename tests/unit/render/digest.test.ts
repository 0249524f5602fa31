import { describe, expect, it } from 'vitest';
import { renderDigestMail } from '../../../functions/domain/render/digest';
import {
  countClass,
  dana,
  danaDigest,
  hostile,
  hrefsOf,
  linkFor,
  listedItems,
  mailItem,
  marcus,
  visibleText,
} from '../../support/mail-fixtures';

describe('renderDigestMail', () => {
  it('names the other attendee and the meeting day in the subject and heading', () => {
    // Prepare
    const input = danaDigest();

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(mail.subject).toBe('Before your 1:1 with Marcus — Thu 19 Nov');
    expect(visibleText(mail.html)).toContain('Before your 1:1 with Marcus — Thu 19 Nov');
    expect(mail.text.startsWith('Before your 1:1 with Marcus — Thu 19 Nov\n====')).toBe(true);
  });

  it("names Dana in Marcus's copy", () => {
    // Prepare
    const input = danaDigest({ recipient: marcus });

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(mail.subject).toBe('Before your 1:1 with Dana — Thu 19 Nov');
  });

  it('lists what is still open first, then the agenda, then growth, in both parts', () => {
    // Prepare
    const input = danaDigest();

    // Act
    const mail = renderDigestMail(input);

    // Assess
    for (const part of [visibleText(mail.html), mail.text]) {
      const order = ['Still open from earlier meetings', 'Agenda', 'Growth'].map((heading) =>
        part.search(new RegExp(`${heading}`, 'i')),
      );
      expect(order.every((at) => at >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
    }
  });

  it('shows each open item with its number, owner, due date and the meeting it was agreed at', () => {
    // Prepare
    const input = danaDigest();

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain(
      '4. Ask Solutions Engineering for a sandbox for the Initech pilot Owner: Dana Whitfield · Due: Tue 24 Nov · agreed Thu 12 Nov',
    );
    expect(mail.text).toContain(
      [
        '4. Ask Solutions Engineering for a sandbox for the Initech pilot',
        '   Owner: Dana Whitfield · Due: Tue 24 Nov · agreed Thu 12 Nov',
      ].join('\n'),
    );
  });

  it('marks overdue items with how many days they are late', () => {
    // Prepare
    const input = danaDigest();

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(countClass(mail.html, 'ft-overdue-mark')).toBe(3);
    expect(visibleText(mail.html)).toContain('Due: Tue 10 Nov · agreed Thu 5 Nov OVERDUE · 9 days');
    expect(mail.text).toContain('   Owner: Marcus Reid · Due: Mon 16 Nov · agreed Thu 12 Nov\n   [OVERDUE · 3 days]\n');
  });

  it('calls out a stalled item with the meetings it sat through and the questions to reassess it', () => {
    // Prepare
    const input = danaDigest();

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(countClass(mail.html, 'ft-callout')).toBe(3);
    expect(visibleText(mail.html)).toContain(
      '3. Draft the Hooli close plan with their procurement lead Owner: Marcus Reid · Due: no date · agreed Thu 5 Nov STALLED — Open for 2 meetings. Still needed? Right owner? New date?',
    );
    expect(mail.text).toContain('   STALLED — Open for 2 meetings. Still needed? Right owner? New date?\n');
  });

  it('says how late an item is that stalled by being a week overdue before any meeting passed', () => {
    // Prepare
    const open = listedItems(
      [
        {
          item: mailItem({
            text: 'Send Initech the revised renewal quote',
            owner: marcus.address,
            due: '2026-11-10',
            agreed: '2026-11-12',
            seq: 1,
          }),
          meetingsOpen: 1,
          counterpart: marcus,
        },
      ],
      '2026-11-19',
    );

    // Act
    const text = renderDigestMail(danaDigest({ open, agenda: [], growth: [] })).text;

    // Assess
    expect(text).toContain(
      '   [OVERDUE · 9 days]\n   STALLED — Overdue by 9 days. Still needed? Right owner? New date?\n',
    );
  });

  it('gives growth items their follow-up date and agenda points no missing-owner or missing-date marks', () => {
    // Prepare
    const input = danaDigest();

    // Act
    const text = renderDigestMail(input).text;

    // Assess
    expect(text).toContain('   Owner: Marcus Reid · Follow up: Thu 3 Dec · agreed Thu 5 Nov\n');
    expect(text).toContain('5. Hooli expansion: who runs the security questionnaire?\n   noted Thu 12 Nov\n');
    expect(text).toContain(
      '6. Q1 territory split between Marcus and Priya\n   Owner: Dana Whitfield · noted Thu 12 Nov\n',
    );
  });

  it('gives every item Done, Drop and Snooze 1 week links to its own URLs, in both parts', () => {
    // Prepare
    const input = danaDigest();
    const listed = [...input.open, ...input.agenda, ...input.growth];

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(hrefsOf(mail.html)).toEqual([
      ...listed.flatMap(({ item }) => [linkFor(item, 'done'), linkFor(item, 'drop'), linkFor(item, 'snooze')]),
      input.unsubscribeUrl,
    ]);
    expect(visibleText(mail.html).match(/Done Drop Snooze 1 week/g)).toHaveLength(listed.length);
    expect(mail.text).toContain(
      [
        '   Done: http://127.0.0.1:8787/a/tok-mtg_01JBDANAMARCUS1105-1-done',
        '   Drop: http://127.0.0.1:8787/a/tok-mtg_01JBDANAMARCUS1105-1-drop',
        '   Snooze 1 week: http://127.0.0.1:8787/a/tok-mtg_01JBDANAMARCUS1105-1-snooze',
      ].join('\n'),
    );
  });

  it('is one clean-slate line when nothing is open, with no commands to reply with', () => {
    // Prepare
    const input = danaDigest({ open: [], agenda: [], topics: [], growth: [] });

    // Act
    const mail = renderDigestMail(input);

    // Assess
    const line = 'Nothing is open between you and Marcus — a clean slate for Thursday.';
    expect(visibleText(mail.html)).toContain(line);
    expect(mail.text).toContain(`\n${line}\n`);
    expect(countClass(mail.html, 'ft-group-heading')).toBe(0);
    expect(mail.text).not.toContain('Still open');
    expect(mail.text).not.toContain('Reply with:');
  });

  it('says nothing is left from earlier meetings when only the agenda has points', () => {
    // Prepare
    const input = danaDigest({ open: [], growth: [] });

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain(
      'Still open from earlier meetings Nothing is still open from earlier meetings. Agenda',
    );
    expect(mail.text).toContain('Reply with: done 2');
  });

  it('lists the agenda topics of the notes under Agenda, after its items, escaped in the HTML', () => {
    // Prepare
    const input = danaDigest({ topics: ['Walk through the Q1 territory split', 'Comp plan <b>questions</b>'] });

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(mail.text).toMatch(
      /Agenda\n------[\s\S]*- Walk through the Q1 territory split\n- Comp plan <b>questions<\/b>\n/,
    );
    expect(mail.html).toContain(
      '<li class="ft-topic" style="margin:0 0 4px;overflow-wrap:anywhere;word-break:break-word">Comp plan &lt;b&gt;questions&lt;&#x2F;b&gt;</li>',
    );
  });

  it('shows an agenda of topics alone, with no items, as the agenda and not as a clean slate', () => {
    // Prepare
    const input = danaDigest({ open: [], agenda: [], growth: [], topics: ['Q1 territory split'] });

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(mail.text).toContain('- Q1 territory split');
    expect(mail.text).not.toContain('clean slate');
  });

  it('escapes hostile item text and names in the HTML and keeps them as written in the text', () => {
    // Prepare
    const input = danaDigest();
    const [first] = input.open;
    if (first === undefined) throw new Error('fixture has open items');
    first.item = { ...first.item, text: `Send Initech the quote ${hostile} {{x}}` };
    input.series = { ...input.series, members: [dana, { ...marcus, name: `Marcus ${hostile}` }] };

    // Act
    const mail = renderDigestMail(input);

    // Assess
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('Send Initech the quote &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; {{x}}');
    expect(mail.html).toContain('Owner: <strong style="color:#1f2933">Marcus &lt;img');
    expect(mail.text).toContain(`1. Send Initech the quote ${hostile} {{x}}\n`);
  });

  it('refuses to render a link that is not http(s)', () => {
    // Prepare
    const input = danaDigest({ links: (item, action) => `data:text/html,${item.seq}-${action}` });

    // Act
    const render = () => renderDigestMail(input);

    // Assess
    expect(render).toThrow(/only http\(s\) links/);
  });
});
