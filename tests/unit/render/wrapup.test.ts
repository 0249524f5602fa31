import { describe, expect, it } from 'vitest';
import { buildWrapupView, renderWrapup } from '../../../functions/domain/render/wrapup';
import { dana, marcus, pipelineItems, storedItems, weeklyOneOnOne } from '../../support/wrapup-fixtures';

const hostile = '<img src=x onerror=alert(1)>';

function visibleText(html: string): string {
  return html
    .replace(/<(style|title)[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<\/?(strong|em|span)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#x2F;/g, '/')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

describe('buildWrapupView', () => {
  it('names the meeting by the first names of its attendees, the author first', () => {
    // Prepare
    const meeting = weeklyOneOnOne();

    // Act
    const view = buildWrapupView(meeting, []);

    // Assess
    expect(view.meetingName).toBe('1:1 Dana / Marcus');
    expect(view.meetingDate).toBe('Thu 12 Nov');
    expect(view.attendees).toEqual(['Dana Whitfield', 'Marcus Reid']);
  });

  it('takes the given name from a directory-style "Last, First" display name', () => {
    // Prepare
    const meeting = weeklyOneOnOne({ attendees: [dana, { address: marcus.address, name: 'Reid, Marcus' }] });

    // Act
    const view = buildWrapupView(meeting, []);

    // Assess
    expect(view.meetingName).toBe('1:1 Dana / Marcus');
  });

  it('numbers the items by their seq, in seq order', () => {
    // Prepare
    const items = storedItems(pipelineItems).reverse();

    // Act
    const view = buildWrapupView(weeklyOneOnOne(), items);

    // Assess
    expect(view.items.map((item) => item.number)).toEqual([1, 2, 3, 4, 5]);
    expect(view.items[0]?.text).toBe('Send the revised mutual action plan to the Globex champion');
  });

  it('shows an attendee owner by display name and a non-attendee owner as the notes wrote it', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const view = buildWrapupView(weeklyOneOnOne(), items);

    // Assess
    expect(view.items.map((item) => item.owner)).toEqual([
      'Marcus Reid',
      'Dana Whitfield',
      'Marcus Reid',
      null,
      'Priya',
    ]);
  });

  it('shows an attendee owner by address when the notes gave the attendee no name', () => {
    // Prepare
    const meeting = weeklyOneOnOne({ attendees: [dana, { address: marcus.address, name: null }] });
    const items = storedItems([
      { text: 'Send the Globex pricing sheet', owner: 'Marcus.Reid@acme.example', due: null },
    ]);

    // Act
    const view = buildWrapupView(meeting, items);

    // Assess
    expect(view.items[0]?.owner).toBe(marcus.address);
  });

  it('formats due dates as weekday, day and month, with the year only when it is not the meeting year', () => {
    // Prepare
    const items = storedItems([
      { text: 'Confirm the Globex legal contact', owner: marcus.address, due: '2026-11-13' },
      { text: 'Send the signed Initech order form', owner: marcus.address, due: '2027-01-08' },
    ]);

    // Act
    const view = buildWrapupView(weeklyOneOnOne(), items);

    // Assess
    expect(view.items.map((item) => item.due)).toEqual(['Fri 13 Nov', 'Fri 8 Jan 2027']);
  });

  it('flags items without an owner or a date, and owners who were not at the 1:1', () => {
    // Prepare
    const items = storedItems(pipelineItems);

    // Act
    const view = buildWrapupView(weeklyOneOnOne(), items);

    // Assess
    expect(view.items.map((item) => item.flags)).toEqual([[], [], ['needs-date'], ['needs-owner'], ['check-owner']]);
  });

  it('flags a date the extractor marked ambiguous while still showing it', () => {
    // Prepare
    const items = storedItems([
      { text: 'Send the Hooli proposal', owner: marcus.address, due: '2026-12-03', flags: ['ambiguous-date'] },
    ]);

    // Act
    const view = buildWrapupView(weeklyOneOnOne(), items);

    // Assess
    expect(view.items[0]).toMatchObject({ due: 'Thu 3 Dec', flags: ['check-date'] });
  });

  it('collapses the line breaks of hard-wrapped notes in item text', () => {
    // Prepare
    const items = storedItems([
      { text: 'Walk the Initech\n   champion through\tthe renewal deck', owner: dana.address, due: '2026-11-16' },
    ]);

    // Act
    const view = buildWrapupView(weeklyOneOnOne(), items);

    // Assess
    expect(view.items[0]?.text).toBe('Walk the Initech champion through the renewal deck');
  });
});

describe('renderWrapup', () => {
  it('puts the meeting name and date in the subject and the HTML title', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne(), storedItems(pipelineItems));

    // Act
    const mail = renderWrapup(view);

    // Assess
    expect(mail.subject).toBe('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov');
    expect(mail.html).toContain('<title>Wrap-up: 1:1 Dana &#x2F; Marcus — Thu 12 Nov</title>');
  });

  it('lists every item in the HTML with its number, owner and due date', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne(), storedItems(pipelineItems));

    // Act
    const text = visibleText(renderWrapup(view).html);

    // Assess
    expect(text).toContain(
      '1. Send the revised mutual action plan to the Globex champion Owner: Marcus Reid · Due: Fri 13 Nov',
    );
    expect(text).toContain(
      "3. Book a QBR with Initech's CFO before the renewal conversation Owner: Marcus Reid · Due: no date needs a date",
    );
    expect(text).toContain(
      '4. Find out who fills in the Hooli security questionnaire Owner: no owner · Due: Thu 19 Nov needs an owner',
    );
    expect(text).toContain('Attended: Dana Whitfield and Marcus Reid');
  });

  it('marks flagged items in the HTML and asks to settle them at the next 1:1', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne(), storedItems(pipelineItems));

    // Act
    const html = renderWrapup(view).html;

    // Assess
    expect(html.match(/class="ft-item ft-flagged"/g)).toHaveLength(3);
    expect(html.match(/class="ft-flag"/g)).toHaveLength(3);
    expect(visibleText(html)).toContain('Settle the flagged items at your next 1:1');
    expect(visibleText(html)).not.toMatch(/reply/i);
  });

  it('leaves out the flagged-items sentence when every item has an owner and a date', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne(), storedItems(pipelineItems.slice(0, 2)));

    // Act
    const mail = renderWrapup(view);

    // Assess
    expect(mail.html).not.toContain('ft-flagged');
    expect(mail.html).not.toContain('Settle the flagged items at your next 1:1');
    expect(mail.text).not.toContain('Settle the flagged items at your next 1:1');
  });

  it('says that no items were found and the notes were kept when there are none', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne({ itemCount: 0 }), []);

    // Act
    const mail = renderWrapup(view);

    // Assess
    const sentence = 'No action items were found in these notes. The original notes were kept as they were sent.';
    expect(visibleText(mail.html)).toContain(sentence);
    expect(mail.html).not.toContain('ACTION ITEMS');
    expect(mail.html).not.toContain('class="ft-item');
    expect(mail.text).toContain(sentence);
  });

  it('escapes hostile item text, names and subject in the HTML', () => {
    // Prepare
    const meeting = weeklyOneOnOne({
      subject: `1:1 ${hostile}`,
      attendees: [dana, { address: marcus.address, name: `Marcus "><script>alert(2)</script>` }],
    });
    const items = storedItems([
      { text: `Check the CRM export ${hostile}`, owner: marcus.address, due: '2026-11-13' },
      { text: 'Review <a href="javascript:alert(3)">the deck</a>', owner: `Priya ${hostile}`, due: null },
    ]);

    // Act
    const html = renderWrapup(buildWrapupView(meeting, items)).html;

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<a ');
    expect(html).toContain('Check the CRM export &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('Marcus &quot;&gt;&lt;script&gt;alert(2)&lt;&#x2F;script&gt;');
  });

  it('links to nothing but http(s) addresses', () => {
    // Prepare
    const items = storedItems([
      { text: 'Read <a href="javascript:alert(1)">this</a> before Friday', owner: dana.address, due: '2026-11-13' },
    ]);

    // Act
    const html = renderWrapup(buildWrapupView(weeklyOneOnOne(), items)).html;

    // Assess
    const targets = [...html.matchAll(/\s(?:href|src)\s*=\s*["']?([^"'\s>]+)/gi)].map((match) => match[1]);
    expect(targets.every((target) => target?.startsWith('https://') || target?.startsWith('http://'))).toBe(true);
  });

  it('writes a text part with a heading, one numbered entry per item and its owner and due date', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne(), storedItems(pipelineItems));

    // Act
    const text = renderWrapup(view).text;

    // Assess
    expect(text.startsWith('Wrap-up: 1:1 Dana / Marcus — Thu 12 Nov\n=======')).toBe(true);
    expect(text).toContain(
      [
        '1. Send the revised mutual action plan to the Globex champion',
        '   Owner: Marcus Reid · Due: Fri 13 Nov',
        '',
        '2. Ask Solutions Engineering for a sandbox for the Initech pilot',
        '   Owner: Dana Whitfield · Due: Tue 17 Nov',
      ].join('\n'),
    );
  });

  it('marks flagged items in the text part and ends with why the reader got it', () => {
    // Prepare
    const view = buildWrapupView(weeklyOneOnOne(), storedItems(pipelineItems));

    // Act
    const text = renderWrapup(view).text;

    // Assess
    expect(text).toContain('   Owner: no owner · Due: Thu 19 Nov\n   [needs an owner]\n');
    expect(text).toContain('   Owner: Marcus Reid · Due: no date\n   [needs a date]\n');
    expect(text).toContain('Settle the flagged items at your next 1:1 — who owns each one, and by when');
    expect(
      text.endsWith(
        '-- \nYou are getting this because you attended the 1:1 whose notes were forwarded to followthrough.\n',
      ),
    ).toBe(true);
  });

  it('keeps user text as written in the text part, where there is no markup to escape', () => {
    // Prepare
    const items = storedItems([{ text: `Check the CRM export ${hostile}`, owner: marcus.address, due: null }]);

    // Act
    const text = renderWrapup(buildWrapupView(weeklyOneOnOne(), items)).text;

    // Assess
    expect(text).toContain(`1. Check the CRM export ${hostile}\n`);
  });

  it('aligns the details of items numbered 10 and up under their text', () => {
    // Prepare
    const specs = Array.from({ length: 10 }, (_, index) => ({
      text: `Call account ${index + 1} about the Q4 renewal`,
      owner: marcus.address,
      due: '2026-11-20',
    }));

    // Act
    const text = renderWrapup(buildWrapupView(weeklyOneOnOne(), storedItems(specs))).text;

    // Assess
    expect(text).toContain('10. Call account 10 about the Q4 renewal\n    Owner: Marcus Reid · Due: Fri 20 Nov\n');
  });
});
