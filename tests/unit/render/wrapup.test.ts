import { describe, expect, it } from 'vitest';
import type { Meeting, StoredItem } from '../../../functions/domain/model';
import { renderWrapupMail } from '../../../functions/domain/render/wrapup';
import { parseReplyCommands } from '../../../functions/domain/replies/commands';
import { countClass, hostile, hrefsOf, linkFor, visibleText } from '../../support/mail-fixtures';
import { dana, marcus, pipelineItems, storedItems, weeklyOneOnOne } from '../../support/wrapup-fixtures';

function wrapup(items: StoredItem[], meeting: Meeting = weeklyOneOnOne()) {
  return renderWrapupMail({ meeting, items, links: linkFor });
}

const commandsLine = 'Reply with: done 2 · drop 3 · 2 due friday · snooze 1 to 12/1 · 2 owner Jordan';

describe('renderWrapupMail', () => {
  it('puts the meeting, named by first names with the author first, and its date in the subject and title', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const mail = wrapup(items);

    // Assess
    expect(mail.subject).toBe('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov');
    expect(mail.html).toContain('<title>Wrap-up: 1:1 Dana &#x2F; Marcus — Thu 12 Nov</title>');
    expect(mail.text.startsWith('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov\n=======')).toBe(true);
  });

  it('takes the given name from a directory-style "Last, First" display name', () => {
    // Prepare
    const meeting = weeklyOneOnOne({ attendees: [dana, { address: marcus.address, name: 'Reid, Marcus' }] });

    // Act
    const mail = wrapup([], meeting);

    // Assess
    expect(mail.subject).toBe('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov');
  });

  it('lists the agreed items in seq order, then the flagged ones in their own block, each with owner and date', () => {
    // Prepare
    const items = storedItems(pipelineItems).reverse();

    // Act
    const text = visibleText(wrapup(items).html);

    // Assess
    expect(text).toContain('Attended: Dana Whitfield and Marcus Reid');
    expect(text).toContain(
      '2 agreed items 1. Send the revised mutual action plan to the Globex champion Owner: Marcus Reid · Due: Fri 13 Nov Done',
    );
    expect(text).toContain(
      "3. Book a QBR with Initech's CFO before the renewal conversation Owner: Marcus Reid · Due: no date needs a date TO SETTLE",
    );
    expect(text).toContain(
      '4. Find out who fills in the Hooli security questionnaire Owner: no owner · Due: Thu 19 Nov needs an owner TO SETTLE',
    );
    const order = [
      '1. Send the revised',
      '2. Ask Solutions',
      'Needs an owner or a date (3)',
      '3. Book',
      '4. Find',
      '5. Share',
    ];
    const positions = order.map((words) => text.indexOf(words));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  });

  it('shows a non-attendee owner as the notes wrote it and an unnamed attendee by address', () => {
    // Prepare
    const meeting = weeklyOneOnOne({ attendees: [dana, { address: marcus.address, name: null }] });
    const items = storedItems([
      { text: 'Send the Globex pricing sheet', owner: 'Marcus.Reid@acme.example', due: null },
      { text: 'Share the Q4 forecast call notes with Legal', owner: 'Priya', due: '2026-11-20' },
    ]);

    // Act
    const text = wrapup(items, meeting).text;

    // Assess
    expect(text).toContain(`   Owner: ${marcus.address} · Due: no date\n`);
    expect(text).toContain('   Owner: Priya · Due: Fri 20 Nov\n');
  });

  it('formats due dates as weekday, day and month, with the year only when it is not the meeting year', () => {
    // Prepare
    const items = storedItems([
      { text: 'Confirm the Globex legal contact', owner: marcus.address, due: '2026-11-13' },
      { text: 'Send the signed Initech order form', owner: marcus.address, due: '2027-01-08' },
    ]);

    // Act
    const text = wrapup(items).text;

    // Assess
    expect(text).toContain('Due: Fri 13 Nov\n');
    expect(text).toContain('Due: Fri 8 Jan 2027\n');
  });

  it('marks items without an owner or a date, and owners who were not at the 1:1, in both parts', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const mail = wrapup(items);

    // Assess
    expect(countClass(mail.html, 'ft-flagged')).toBe(3);
    expect(countClass(mail.html, 'ft-flag')).toBe(3);
    expect(mail.text).toContain('   Owner: no owner · Due: Thu 19 Nov\n   [needs an owner]\n');
    expect(mail.text).toContain('   Owner: Marcus Reid · Due: no date\n   [needs a date]\n');
    expect(mail.text).toContain('   Owner: Priya · Due: Fri 20 Nov\n   [owner not at the 1:1]\n');
  });

  it('flags a date the extractor marked ambiguous while still showing it', () => {
    // Prepare
    const items = storedItems([
      { text: 'Send the Hooli proposal', owner: marcus.address, due: '2026-12-03', flags: ['ambiguous-date'] },
    ]);

    // Act
    const text = wrapup(items).text;

    // Assess
    expect(text).toContain('   Owner: Marcus Reid · Due: Thu 3 Dec\n   [check the date]\n');
  });

  it('tells under each flagged item the one-line reply that settles it, with its number and the attendees’ names', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const mail = wrapup(items);

    // Assess
    for (const part of [visibleText(mail.html), mail.text]) {
      expect(part).toContain(
        'The notes did not say who owns these or by when, or said it in a way that can be read two ways.',
      );
      expect(part).toContain('TO SETTLE — By when? Reply “3 due friday” or “3 due nov 26”.');
      expect(part).toContain('TO SETTLE — Who owns it? Reply “4 owner Dana” or “4 owner Marcus”.');
      expect(part).toContain(
        'TO SETTLE — Priya was not at the 1:1: if one of you will chase it, reply “5 owner Dana” or “5 owner Marcus”.',
      );
    }
  });

  it('suggests only replies that the reply parser reads as a command on that item', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const text = wrapup(items).text;

    // Assess
    const suggested = [...text.matchAll(/“(\d+ (?:owner|due) [^”]+)”/g)].map((m) => m[1] ?? '');
    expect(suggested.length).toBeGreaterThanOrEqual(6);
    for (const line of suggested) {
      const { commands, notUnderstood } = parseReplyCommands(line, { today: '2026-11-12', dateOrder: 'mdy' });
      expect(notUnderstood).toEqual([]);
      expect(commands.map((c) => c.numbers)).toEqual([[Number(line.split(' ')[0])]]);
    }
  });

  it('quotes the words it read a doubtful or vague date from', () => {
    // Prepare
    const [ambiguous, vague] = storedItems([
      { text: 'Send the Hooli proposal', owner: marcus.address, due: '2026-12-03', flags: ['ambiguous-date'] },
      { text: 'Loop in Legal on the Initech redlines', owner: marcus.address, due: null, flags: ['no-date'] },
    ]);
    const items = [
      { ...ambiguous, dueSource: 'before Friday’s forecast call' },
      { ...vague, dueSource: 'ASAP' },
    ] as StoredItem[];

    // Act
    const text = wrapup(items).text;

    // Assess
    expect(text).toContain(
      'TO SETTLE — “before Friday’s forecast call” read as Thu 3 Dec. If another day was meant, reply “1 due dec 3”.',
    );
    expect(text).toContain('TO SETTLE — “ASAP” is not a date. By when? Reply “2 due friday” or “2 due nov 26”.');
  });

  it('shows one block of action items and no settling hint when nothing is flagged', () => {
    // Prepare
    const settled = storedItems(pipelineItems.slice(0, 2));

    // Act
    const mail = wrapup(settled);

    // Assess
    expect(visibleText(mail.html)).toContain('2 action items 1. Send the revised');
    expect(mail.html).not.toContain('ft-flagged');
    for (const part of [visibleText(mail.html), mail.text]) {
      expect(part).not.toContain('Needs an owner or a date');
      expect(part).not.toContain('TO SETTLE');
    }
  });

  it('gives every item one Done link to its own signed URL, and no Drop or Snooze', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const mail = wrapup(items);

    // Assess
    expect(hrefsOf(mail.html)).toEqual(items.map((item) => linkFor(item, 'done')));
    expect(visibleText(mail.html)).not.toMatch(/Drop|Snooze 1 week/);
    expect(mail.text).toContain(
      [
        '2. Ask Solutions Engineering for a sandbox for the Initech pilot',
        '   Owner: Dana Whitfield · Due: Tue 17 Nov',
        '   Done: http://127.0.0.1:8787/a/tok-mtg_01JCDANAMARCUS1112-2-done',
        '',
      ].join('\n'),
    );
  });

  it('names the item a Done link closes for screen readers', () => {
    // Prepare
    const items = storedItems(pipelineItems.slice(0, 1));

    // Act
    const html = wrapup(items).html;

    // Assess
    expect(html).toContain('aria-label="Done: Send the revised mutual action plan to the Globex champion"');
  });

  it('reminds of the reply commands in one line of the footer of both parts', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const mail = wrapup(items);

    // Assess
    expect(visibleText(mail.html)).toContain(commandsLine);
    expect(mail.text).toContain(`\n-- \n${commandsLine}\n`);
  });

  it('says that no items were found and the notes were kept when there are none, with no commands', () => {
    // Prepare
    const meeting = weeklyOneOnOne({ itemCount: 0 });

    // Act
    const mail = wrapup([], meeting);

    // Assess
    const sentence = 'No action items were found in these notes. The original notes were kept as they were sent.';
    expect(visibleText(mail.html)).toContain(sentence);
    expect(mail.text).toContain(sentence);
    expect(countClass(mail.html, 'ft-item')).toBe(0);
    expect(hrefsOf(mail.html)).toEqual([]);
    expect(mail.text).not.toContain('Reply with:');
    expect(visibleText(mail.html)).not.toContain('Reply with:');
  });

  it('escapes hostile item text, names and subject in the HTML', () => {
    // Prepare
    const meeting = weeklyOneOnOne({
      subject: `1:1 ${hostile}`,
      attendees: [dana, { address: marcus.address, name: `Marcus "><script>alert(2)</script>` }],
    });
    const items = storedItems([
      { text: `Check the CRM export ${hostile}`, owner: marcus.address, due: '2026-11-13' },
      { text: 'Review <a href="javascript:alert(3)">the deck</a> {{x}}', owner: `Priya ${hostile}`, due: null },
    ]);

    // Act
    const html = wrapup(items, meeting).html;

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/<a (?![^>]*class="ft-action")/);
    expect(html).toContain('Check the CRM export &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('Marcus &quot;&gt;&lt;script&gt;alert(2)&lt;&#x2F;script&gt;');
    expect(visibleText(html)).toContain('the deck</a> {{x}}');
  });

  it('links to nothing but http(s) addresses', () => {
    // Prepare
    const items = storedItems([
      { text: 'Read <a href="javascript:alert(1)">this</a> before Friday', owner: dana.address, due: '2026-11-13' },
    ]);

    // Act
    const html = wrapup(items).html;

    // Assess
    const targets = [...html.matchAll(/\s(?:href|src)\s*=\s*["']?([^"'\s>]+)/gi)].map((match) => match[1] ?? '');
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((target) => !/^https?:&#x2F;&#x2F;/.test(target))).toEqual([]);
  });

  it('refuses to render a link that is not http(s)', () => {
    // Prepare
    const items = storedItems(pipelineItems.slice(0, 1));

    // Act
    const render = () => renderWrapupMail({ meeting: weeklyOneOnOne(), items, links: () => 'javascript:alert(1)' });

    // Assess
    expect(render).toThrow(/only http\(s\) links/);
  });

  it('keeps user text as written in the text part, where there is no markup to escape', () => {
    // Prepare
    const items = storedItems([{ text: `Check the CRM export ${hostile} {{x}}`, owner: marcus.address, due: null }]);

    // Act
    const text = wrapup(items).text;

    // Assess
    expect(text).toContain(`1. Check the CRM export ${hostile} {{x}}\n`);
  });

  it('collapses the line breaks of hard-wrapped notes in item text', () => {
    // Prepare
    const items = storedItems([
      { text: 'Walk the Initech\n   champion through\tthe renewal deck', owner: dana.address, due: '2026-11-16' },
    ]);

    // Act
    const mail = wrapup(items);

    // Assess
    expect(mail.text).toContain('1. Walk the Initech champion through the renewal deck\n');
    expect(mail.html).toContain('>Walk the Initech champion through the renewal deck<');
  });

  it('aligns the details and links of items numbered 10 and up under their text', () => {
    // Prepare
    const specs = Array.from({ length: 10 }, (_, index) => ({
      text: `Call account ${index + 1} about the Q4 renewal`,
      owner: marcus.address,
      due: '2026-11-20',
    }));

    // Act
    const text = wrapup(storedItems(specs)).text;

    // Assess
    expect(text).toContain(
      [
        '10. Call account 10 about the Q4 renewal',
        '    Owner: Marcus Reid · Due: Fri 20 Nov',
        '    Done: http://127.0.0.1:8787/a/tok-mtg_01JCDANAMARCUS1112-10-done',
      ].join('\n'),
    );
  });

  it('ends the text part with the footer after the signature delimiter', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const text = wrapup(items).text;

    // Assess
    expect(
      text.endsWith(
        '-- \nReply with: done 2 · drop 3 · 2 due friday · snooze 1 to 12/1 · 2 owner Jordan\nYou are getting this because you attended the 1:1 whose notes were forwarded to followthrough.\n',
      ),
    ).toBe(true);
  });
});
