import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../../functions/domain/email/html-text';

describe('htmlToText', () => {
  it('keeps an Outlook row whose cells hold <p class=MsoNormal> and <br> on one line', async () => {
    // Prepare
    const html =
      '<table><tr>' +
      '<td><p class=MsoNormal>Send the revised SOW<o:p></o:p></p></td>' +
      '<td><p class=MsoNormal>Finn<br>(SE)</p></td>' +
      '<td><p class=MsoNormal>27/11</p></td>' +
      '</tr></table>';

    // Act
    const text = await htmlToText(html);

    // Assess
    expect(text).toBe('Send the revised SOW | Finn (SE) | 27/11');
  });

  it('still breaks lines at paragraphs and <br> outside table cells', async () => {
    // Prepare
    const html =
      '<p class=MsoNormal>Action items</p><p class=MsoNormal>Finn: send the SOW<br>Ana: approve the discount</p>';

    // Act
    const text = await htmlToText(html);

    // Assess
    expect(text).toBe('Action items\n\nFinn: send the SOW\nAna: approve the discount');
  });

  it('trims the empty cells after the last filled one', async () => {
    // Prepare
    const html = `<table><tr><td>Send the SOW</td><td>Finn</td>${'<td></td>'.repeat(5)}</tr></table>`;

    // Act
    const text = await htmlToText(html);

    // Assess
    expect(text).toBe('Send the SOW | Finn');
  });

  it('returns for a row of forty empty cells followed by text', { timeout: 10_000 }, async () => {
    // Prepare
    const html = `<table><tr>${'<td></td>'.repeat(40)}<td>text</td></tr></table>`;

    // Act
    const text = await htmlToText(html);

    // Assess
    expect(text.endsWith('| text')).toBe(true);
  });
});
