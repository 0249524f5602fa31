import { describe, expect, it } from 'vitest';
import { renderWeeklyMail } from '../../../functions/domain/render/weekly';
import {
  countClass,
  danaWeekly,
  hostile,
  hrefsOf,
  linkFor,
  listedItems,
  mailItem,
  priya,
  visibleText,
} from '../../support/mail-fixtures';

describe('renderWeeklyMail', () => {
  it('names the week by its Monday in the subject and heading', () => {
    // Prepare
    const input = danaWeekly({ today: '2026-11-25' });

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    expect(mail.subject).toBe('Your open items — week of Mon 23 Nov');
    expect(visibleText(mail.html)).toContain('Your open items — week of Mon 23 Nov');
    expect(mail.text.startsWith('Your open items — week of Mon 23 Nov\n')).toBe(true);
  });

  it('says how many items the person owns and how many are overdue', () => {
    // Prepare
    const input = danaWeekly();

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain('Dana, you own 4 open items, 2 overdue.');
    expect(mail.text).toContain('Dana, you own 4 open items, 2 overdue.\n');
  });

  it('lists the overdue items first under their own heading, marked, then the rest', () => {
    // Prepare
    const input = danaWeekly();

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    const text = visibleText(mail.html);
    expect(text).toMatch(/Overdue 1\. Ask Solutions Engineering .* OVERDUE · 6 days .* 2\. Approve Priya's discount/);
    expect(text).toMatch(/OVERDUE · 3 days Done Drop Snooze 1 week Still open 3\. Introduce Priya/);
    expect(countClass(mail.html, 'ft-overdue')).toBe(2);
    expect(mail.text).toMatch(
      /Overdue\n-------\n\n1\. Ask Solutions[\s\S]*Still open\n----------\n\n3\. Introduce Priya/,
    );
  });

  it('heads the list "Open" when nothing is overdue', () => {
    // Prepare
    const items = danaWeekly().items.filter((listed) => !listed.overdue);

    // Act
    const mail = renderWeeklyMail(danaWeekly({ items }));

    // Assess
    expect(mail.text).toContain('\nOpen\n----\n');
    expect(mail.text).not.toContain('Overdue\n');
    expect(visibleText(mail.html)).toContain('Dana, you own 2 open items.');
  });

  it('says which 1:1 each item came from and when it was agreed', () => {
    // Prepare
    const input = danaWeekly();

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    expect(mail.text).toContain(
      "2. Approve Priya's discount request for the Hooli expansion\n   Due: Fri 20 Nov · 1:1 with Priya Natarajan · agreed Mon 16 Nov\n",
    );
    expect(visibleText(mail.html)).toContain('Due: Tue 17 Nov · 1:1 with Marcus Reid · agreed Thu 12 Nov');
  });

  it('says "from a 1:1" when the other attendee is unknown', () => {
    // Prepare
    const items = listedItems(
      [
        {
          item: mailItem({ text: 'Send the Q1 plan', owner: priya.address, due: null, agreed: '2026-11-16', seq: 3 }),
          meetingsOpen: 0,
          counterpart: null,
        },
      ],
      '2026-11-23',
    );

    // Act
    const text = renderWeeklyMail(danaWeekly({ items })).text;

    // Assess
    expect(text).toContain('   Due: no date · from a 1:1 · agreed Mon 16 Nov\n');
  });

  it('calls out a stalled item', () => {
    // Prepare
    const input = danaWeekly();

    // Act
    const text = renderWeeklyMail(input).text;

    // Assess
    expect(text).toContain(
      '4. Send Marcus the Q1 territory map\n   Due: no date · 1:1 with Marcus Reid · agreed Thu 5 Nov\n   STALLED — Open for 2 meetings. Still needed? Right owner? New date?\n',
    );
  });

  it('gives every item Done, Drop and Snooze 1 week links to its own URLs, in both parts', () => {
    // Prepare
    const input = danaWeekly();

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    expect(hrefsOf(mail.html)).toEqual([
      ...input.items.flatMap(({ item }) => [linkFor(item, 'done'), linkFor(item, 'drop'), linkFor(item, 'snooze')]),
      input.unsubscribeUrl,
    ]);
    for (const { item } of input.items) {
      expect(mail.text).toContain(`   Snooze 1 week: ${linkFor(item, 'snooze')}\n`);
    }
  });

  it('reminds of the reply commands in the footer', () => {
    // Prepare
    const input = danaWeekly();

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain(
      'Reply with: done 2 · drop 3 · 2 due friday · snooze 1 to 12/1 · 2 owner Jordan',
    );
    expect(mail.text).toContain('-- \nReply with: done 2 · drop 3');
  });

  it('throws rather than render an empty weekly mail', () => {
    // Prepare
    const input = danaWeekly({ items: [] });

    // Act
    const render = () => renderWeeklyMail(input);

    // Assess
    expect(render).toThrow(/no items for dana\.whitfield@acme\.example; an empty weekly is never sent/);
  });

  it('escapes hostile item text and counterpart names in the HTML', () => {
    // Prepare
    const input = danaWeekly();
    const [first] = input.items;
    if (first === undefined) throw new Error('fixture has items');
    first.item = { ...first.item, text: `Ask SE ${hostile} {{x}}` };
    first.counterpart = { address: 'x@acme.example', name: `Eve ${hostile}` };

    // Act
    const mail = renderWeeklyMail(input);

    // Assess
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('Ask SE &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; {{x}}');
    expect(mail.html).toContain('1:1 with Eve &lt;img');
    expect(mail.text).toContain(`1. Ask SE ${hostile} {{x}}\n`);
  });
});
