import { describe, expect, it } from 'vitest';
import { renderConfirmationMail } from '../../../functions/domain/render/confirmation';
import { countClass, hostile, hrefsOf, marcusConfirmation, visibleText } from '../../support/mail-fixtures';

describe('renderConfirmationMail', () => {
  it('says "Updated" and what the reply was about in the subject when something changed', () => {
    // Prepare
    const input = marcusConfirmation();

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    expect(mail.subject).toBe('Updated: 1:1 Dana / Marcus — Thu 12 Nov');
    expect(visibleText(mail.html)).toContain(
      'Updated: 1:1 Dana / Marcus — Thu 12 Nov Marcus, here is what your reply did: 2 changes made, 1 change not made, 1 line not understood.',
    );
  });

  it('says "Nothing changed" in the subject when no command was applied', () => {
    // Prepare
    const input = marcusConfirmation({ applied: [] });

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    expect(mail.subject).toBe('Nothing changed: 1:1 Dana / Marcus — Thu 12 Nov');
    expect(countClass(mail.html, 'ft-item')).toBe(0);
    expect(mail.text).not.toContain('What changed');
  });

  it('lists what changed with each item number, its text and the change', () => {
    // Prepare
    const input = marcusConfirmation();

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain(
      "What changed 1. Send the revised mutual action plan to the Globex champion marked done 3. Book a QBR with Initech's CFO before the renewal conversation due date moved to Fri 4 Dec",
    );
    expect(mail.text).toContain(
      "What changed\n------------\n\n1. Send the revised mutual action plan to the Globex champion\n   marked done\n\n3. Book a QBR with Initech's CFO before the renewal conversation\n   due date moved to Fri 4 Dec\n",
    );
  });

  it('lists the commands that were not applied with the reason for each', () => {
    // Prepare
    const input = marcusConfirmation();

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    expect(visibleText(mail.html)).toContain('Not changed drop 9 there is no item 9 in that email');
    expect(mail.text).toContain('Not changed\n-----------\n\n> drop 9\n  there is no item 9 in that email\n');
  });

  it('quotes the lines it did not understand as written, with a one-line reminder of the commands', () => {
    // Prepare
    const input = marcusConfirmation();

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    const reminder =
      'Commands look like this, one per line: done 2 · drop 3 · 2 due friday · snooze 1 to 12/1 · 2 owner Jordan';
    expect(visibleText(mail.html)).toContain(`Not understood Thanks Dana, can we push Thursday to 3pm? ${reminder}`);
    expect(mail.text).toContain(
      `Not understood\n--------------\n\n> Thanks Dana, can we push Thursday to 3pm?\n\n${reminder}\n`,
    );
  });

  it('puts the commands in the footer only when nothing above already reminds of them', () => {
    // Prepare
    const understood = marcusConfirmation({ notUnderstood: [] });
    const confused = marcusConfirmation();

    // Act
    const [clear, unclear] = [renderConfirmationMail(understood), renderConfirmationMail(confused)];

    // Assess
    expect(clear.text).toContain('-- \nReply with: done 2 · drop 3');
    expect(unclear.text).not.toContain('Reply with:');
    expect(visibleText(unclear.html).match(/done 2 · drop 3/g)).toHaveLength(1);
  });

  it('says the reply held no commands when it held nothing at all', () => {
    // Prepare
    const input = marcusConfirmation({ applied: [], refused: [], notUnderstood: [] });

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    expect(mail.subject).toBe('Nothing changed: 1:1 Dana / Marcus — Thu 12 Nov');
    expect(visibleText(mail.html)).toContain('Your reply held no commands, so nothing changed.');
    expect(mail.text).toContain('\nYour reply held no commands, so nothing changed.\n');
  });

  it('has no links', () => {
    // Prepare
    const input = marcusConfirmation();

    // Act
    const html = renderConfirmationMail(input).html;

    // Assess
    expect(hrefsOf(html)).toEqual([]);
  });

  it('escapes hostile reply lines, reasons and item text in the HTML and keeps them as written in the text', () => {
    // Prepare
    const input = marcusConfirmation({
      applied: [{ number: 2, text: `Quote ${hostile}`, change: 'marked done' }],
      refused: [{ line: `drop 9 ${hostile}`, reason: 'there is no item 9 in that email' }],
      notUnderstood: [`{{x}} ${hostile}`],
    });

    // Act
    const mail = renderConfirmationMail(input);

    // Assess
    expect(mail.html).not.toContain('<img');
    expect(mail.html.match(/&lt;img src&#x3D;x onerror&#x3D;alert\(1\)&gt;/g)).toHaveLength(3);
    expect(mail.html).toContain('>{{x}} &lt;img');
    expect(mail.text).toContain(`> drop 9 ${hostile}\n`);
    expect(mail.text).toContain(`> {{x}} ${hostile}\n`);
  });
});
