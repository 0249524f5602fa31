import { describe, expect, it } from 'vitest';
import { renderRollupMail } from '../../../functions/domain/render/rollup';
import { countClass, danaRollup, hostile, hrefsOf, marcus, visibleText } from '../../support/mail-fixtures';

describe('renderRollupMail', () => {
  it("names the week in the subject and totals the team's items in the first line", () => {
    // Prepare
    const input = danaRollup();

    // Act
    const mail = renderRollupMail(input);

    // Assess
    expect(mail.subject).toBe('Team roll-up — week of Mon 23 Nov');
    expect(visibleText(mail.html)).toContain(
      'Team roll-up — week of Mon 23 Nov Dana, across your 2 reports: 8 open items, 3 overdue, 2 stalled.',
    );
    expect(mail.text).toContain('Dana, across your 2 reports: 8 open items, 3 overdue, 2 stalled.\n');
  });

  it('shows each report with open, overdue and stalled counts in both parts', () => {
    // Prepare
    const input = danaRollup();

    // Act
    const mail = renderRollupMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain('Marcus Reid 6 open 3 overdue 2 stalled');
    expect(visibleText(mail.html)).toContain('Priya Natarajan 2 open 0 overdue 0 stalled');
    expect(mail.text).toContain('Marcus Reid: 6 open · 3 overdue · 2 stalled\n');
    expect(mail.text).toContain('Priya Natarajan: 2 open · 0 overdue · 0 stalled\n');
  });

  it('highlights only the overdue and stalled counts that are not zero', () => {
    // Prepare
    const input = danaRollup();

    // Act
    const html = renderRollupMail(input).html;

    // Assess
    expect(html.match(/background-color:#fde8e8;/g)).toHaveLength(1);
    expect(html.match(/background-color:#fef3c7;/g)).toHaveLength(1);
  });

  it("shows each report's oldest open item with its due date and how long it has been open", () => {
    // Prepare
    const input = danaRollup();

    // Act
    const mail = renderRollupMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain(
      'Oldest open item Send Initech the revised renewal quote Due: Tue 10 Nov · open since Thu 5 Nov (18 days)',
    );
    expect(mail.text).toContain(
      '   Oldest open item: Send Initech the revised renewal quote\n   Due: Tue 10 Nov · open since Thu 5 Nov (18 days)\n',
    );
  });

  it('shows an undated oldest item as having no date', () => {
    // Prepare
    const [first] = danaRollup().reports;
    if (first === undefined) throw new Error('fixture has reports');
    const reports = [
      { ...first, oldest: { text: 'Draft the Hooli close plan', due: null, meetingDate: '2026-11-22' } },
    ];

    // Act
    const mail = renderRollupMail(danaRollup({ reports }));

    // Assess
    expect(visibleText(mail.html)).toContain('Draft the Hooli close plan Due: no date · open since Sun 22 Nov (1 day)');
  });

  it('says a report with nothing open has a clean slate', () => {
    // Prepare
    const [first] = danaRollup().reports;
    if (first === undefined) throw new Error('fixture has reports');
    const reports = [{ ...first, open: 0, overdue: 0, stalled: 0, oldest: null }];

    // Act
    const mail = renderRollupMail(danaRollup({ reports }));

    // Assess
    expect(visibleText(mail.html)).toContain('Marcus Reid 0 open 0 overdue 0 stalled Nothing open — a clean slate.');
    expect(mail.text).toContain('Marcus Reid: 0 open · 0 overdue · 0 stalled\n   Nothing open — a clean slate.\n');
    expect(countClass(mail.html, 'ft-oldest')).toBe(0);
  });

  it('says there is nothing to roll up when the manager has no reports', () => {
    // Prepare
    const input = danaRollup({ reports: [] });

    // Act
    const mail = renderRollupMail(input);

    // Assess
    const line = 'None of your reports has a 1:1 with you on followthrough yet, so there is nothing to roll up.';
    expect(visibleText(mail.html)).toContain(line);
    expect(mail.text).toContain(line);
    expect(countClass(mail.html, 'ft-report-name')).toBe(0);
  });

  it('has no links but the unsubscribe one, and no reply commands, since it lists no numbered items', () => {
    // Prepare
    const input = danaRollup();

    // Act
    const mail = renderRollupMail(input);

    // Assess
    expect(hrefsOf(mail.html)).toEqual([input.unsubscribeUrl]);
    expect(mail.text).not.toContain('Reply with:');
    expect(mail.text).toContain(
      '-- \nYou are getting this because your 1:1 notes with your reports go through followthrough.',
    );
  });

  it('escapes hostile names and item text in the HTML', () => {
    // Prepare
    const [first] = danaRollup().reports;
    if (first === undefined) throw new Error('fixture has reports');
    const reports = [
      {
        ...first,
        report: { ...marcus, name: `Marcus ${hostile}` },
        oldest: { text: `Quote ${hostile} {{x}}`, due: null, meetingDate: '2026-11-05' },
      },
    ];

    // Act
    const mail = renderRollupMail(danaRollup({ reports }));

    // Assess
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('Marcus &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(mail.html).toContain('Quote &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; {{x}}');
    expect(mail.text).toContain(`Oldest open item: Quote ${hostile} {{x}}\n`);
  });
});
