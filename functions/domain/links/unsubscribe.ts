/**
 * Unsubscribe links (RFC 8058): `/u/<token>` in the List-Unsubscribe header and in the digests' footer. A mail
 * provider's "Unsubscribe" button POSTs `List-Unsubscribe=One-Click` to it from its own servers, with no cookie,
 * no login and usually no Origin; a person who opens the footer link gets a confirm page whose button POSTs too.
 */
import { decodePathSegment } from './action-path';

/** The body RFC 8058 §3.1 tells the provider to POST, and the header that announces it. */
export const ONE_CLICK_BODY = 'List-Unsubscribe=One-Click';

/** Far above any body we expect (the one-click line, or our own one-field form), small enough to refuse unread. */
export const UNSUBSCRIBE_MAX_BYTES = 16 * 1024;

export type UnsubscribePath = { token: string } | 'damaged' | null;

/** The token of `/u/<token>`; 'damaged' when it does not decode; null for another path. Read from the raw path. */
export function parseUnsubscribePath(path: string): UnsubscribePath {
  const match = /^\/u\/([^/]+)$/.exec(path);
  if (match?.[1] === undefined) return null;
  const token = decodePathSegment(match[1]);
  return token === null ? 'damaged' : { token };
}

/**
 * The two headers of RFC 8058 for one signed URL. No mailto: alternative: an unsubscribe by mail would need the
 * inbound pipeline to trust a From header, and every provider that offers one-click takes the https URL.
 */
export function listUnsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': ONE_CLICK_BODY };
}

/**
 * What a POST to `/u/<token>` asks for. Only our own result page's form asks to resubscribe (`resubscribe=1`,
 * form-urlencoded as browsers send it); anything else — the provider's one-click body, urlencoded or multipart,
 * an empty body, the confirm page's button — unsubscribes. The token is the proof, not the body.
 */
export function readUnsubscribeForm(contentType: string | undefined, body: Uint8Array): { resubscribe: boolean } {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') return { resubscribe: false };
  const form = new URLSearchParams(Buffer.from(body).toString('utf8'));
  return { resubscribe: form.get('resubscribe') === '1' };
}
