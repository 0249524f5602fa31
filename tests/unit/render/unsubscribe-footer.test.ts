import { describe, expect, it } from 'vitest';
import { renderConfirmationMail } from '../../../functions/domain/render/confirmation';
import { renderDigestMail } from '../../../functions/domain/render/digest';
import { renderRollupMail } from '../../../functions/domain/render/rollup';
import { renderWeeklyMail } from '../../../functions/domain/render/weekly';
import { renderWrapupMail } from '../../../functions/domain/render/wrapup';
import {
  danaDigest,
  danaRollup,
  danaWeekly,
  hrefsOf,
  linkFor,
  marcusConfirmation,
  visibleText,
} from '../../support/mail-fixtures';
import { pipelineItems, storedItems, weeklyOneOnOne } from '../../support/wrapup-fixtures';

const digests = [
  ['pre-meeting digest', () => renderDigestMail(danaDigest()), danaDigest().unsubscribeUrl, 'these digests'],
  ['weekly digest', () => renderWeeklyMail(danaWeekly()), danaWeekly().unsubscribeUrl, 'the weekly digest'],
  ['roll-up', () => renderRollupMail(danaRollup()), danaRollup().unsubscribeUrl, 'the roll-up'],
] as const;

describe('the unsubscribe link in the footer', () => {
  it.each(digests)('[R17] closes the HTML of the %s, after the reason it was sent', (_, render, url, what) => {
    // Act
    const mail = render();

    // Assess
    expect(hrefsOf(mail.html).at(-1)).toBe(url);
    expect(visibleText(mail.html)).toMatch(new RegExp(`You are getting this because .* Unsubscribe from ${what}$`));
  });

  it.each(digests)('[R17] closes the text part of the %s, with its URL', (_, render, url, what) => {
    // Act
    const mail = render();

    // Assess
    expect(mail.text.endsWith(`\nUnsubscribe from ${what}: ${url}\n`)).toBe(true);
  });

  it('[R17] refuses a URL that is not http(s), as every link in a mail', () => {
    // Prepare
    const input = danaWeekly({ unsubscribeUrl: 'javascript:alert(1)' });

    // Act
    const render = () => renderWeeklyMail(input);

    // Assess
    expect(render).toThrow(/only http\(s\) links/);
  });

  it('[R17] is not in the wrap-up, which is transactional', () => {
    // Act
    const mail = renderWrapupMail({ meeting: weeklyOneOnOne(), items: storedItems(pipelineItems), links: linkFor });

    // Assess
    expect(hrefsOf(mail.html).filter((href) => href.includes('/u/'))).toEqual([]);
    expect(`${visibleText(mail.html)}\n${mail.text}`).not.toMatch(/unsubscribe/i);
  });

  it('[R17] is not in a reply confirmation, which is transactional', () => {
    // Act
    const mail = renderConfirmationMail(marcusConfirmation());

    // Assess
    expect(`${visibleText(mail.html)}\n${mail.text}`).not.toMatch(/unsubscribe/i);
  });
});
