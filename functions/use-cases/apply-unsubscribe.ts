import { NotFoundError } from '../domain/errors';
import { type SigningKey, signingKeyOf, signUnsubscribe, verifyUnsubscribe } from '../domain/links/token';
import { listUnsubscribeHeaders } from '../domain/links/unsubscribe';
import type { OptOutKind } from '../domain/model';
import type { Clock } from '../ports/clock';
import type { Store } from '../ports/store';

export interface UnsubscribeDeps {
  store: Store;
  clock: Clock;
  signingKeys: SigningKey[];
}

/**
 * How long an unsubscribe link works: a year, not the action links' 30 days. People unsubscribe from whatever
 * digest is in front of them, often an old one, and a link that has stopped working leaves them the spam button,
 * which hurts the sending reputation every recipient depends on. The token can do one harmless thing — stop one
 * kind of digest for the one address it names, undone from the same page — so a long life costs little.
 */
export const UNSUBSCRIBE_LIFETIME_DAYS = 365;

/** The footer URL and the RFC 8058 headers of one digest, signed for its one recipient and its kind. */
export function unsubscribeLink(
  deps: { clock: Clock; signingKeys: SigningKey[]; config: { baseUrl: string } },
  recipient: string,
  kind: OptOutKind,
): { url: string; headers: Record<string, string> } {
  const key = signingKeyOf(deps.signingKeys);
  const expiresAt = Math.floor(deps.clock.now().getTime() / 1000) + UNSUBSCRIBE_LIFETIME_DAYS * 86_400;
  const url = `${deps.config.baseUrl}/u/${signUnsubscribe({ kind, recipient, expiresAt }, key)}`;
  return { url, headers: listUnsubscribeHeaders(url) };
}

/** Whether this person opted out of this kind of digest: the senders check before they read anything else. */
export const hasOptedOut = (person: { optOut?: OptOutKind[] } | null, kind: OptOutKind): boolean =>
  person?.optOut?.includes(kind) ?? false;

export type UnsubscribeState =
  /** GET, still subscribed: the page asks before anything changes. */
  'confirm' | 'unsubscribed' | 'already-unsubscribed' | 'resubscribed' | 'already-subscribed';

export type UnsubscribeOutcome =
  | { ok: true; state: UnsubscribeState; kind: OptOutKind; address: string }
  | { ok: false; status: 400 | 404 | 410; title: string; message: string };

/** `GET /u/<token>`: check the link and say what it would do. Changes nothing: mail scanners open every link. */
export async function previewUnsubscribe(deps: UnsubscribeDeps, token: string): Promise<UnsubscribeOutcome> {
  const checked = await check(deps, token);
  if (!checked.ok) return checked;
  const { kind, address, optedOut } = checked;
  return { ok: true, state: optedOut ? 'already-unsubscribed' : 'confirm', kind, address };
}

/**
 * `POST /u/<token>`: the provider's one-click POST, the confirm page's button, or (resubscribe) the result
 * page's. Applying twice changes nothing the second time: providers retry.
 */
export async function applyUnsubscribe(
  deps: UnsubscribeDeps,
  token: string,
  request: { resubscribe: boolean },
): Promise<UnsubscribeOutcome> {
  const checked = await check(deps, token);
  if (!checked.ok) return checked;
  const { kind, address, optedOut } = checked;
  const wanted = !request.resubscribe;
  if (optedOut === wanted) {
    return { ok: true, state: wanted ? 'already-unsubscribed' : 'already-subscribed', kind, address };
  }
  try {
    await deps.store.setOptOut(address, kind, wanted, deps.clock.now().toISOString());
  } catch (error) {
    if (error instanceof NotFoundError) return unknownPerson;
    throw error;
  }
  return { ok: true, state: wanted ? 'unsubscribed' : 'resubscribed', kind, address };
}

type Checked =
  | { ok: true; kind: OptOutKind; address: string; optedOut: boolean }
  | Extract<UnsubscribeOutcome, { ok: false }>;

async function check(deps: UnsubscribeDeps, token: string): Promise<Checked> {
  const verified = verifyUnsubscribe(token, deps.signingKeys, deps.clock.now());
  if (!verified.ok) {
    return verified.reason === 'expired'
      ? {
          ok: false,
          status: 410,
          title: 'This link has expired',
          message: 'Unsubscribe links work for a year. The link at the foot of a recent digest works.',
        }
      : {
          ok: false,
          status: 400,
          title: 'This link does not work',
          message:
            'It is not an unsubscribe link we sent, or part of it was lost on the way. Use the link at the foot of the digest again.',
        };
  }
  const { kind, recipient } = verified.claims;
  const person = await deps.store.getPerson(recipient);
  if (person === null) return unknownPerson;
  return { ok: true, kind, address: person.address, optedOut: hasOptedOut(person, kind) };
}

const unknownPerson: Extract<UnsubscribeOutcome, { ok: false }> = {
  ok: false,
  status: 404,
  title: 'No such subscriber',
  message: 'We have no record of the address this link was sent to, so there is nothing to unsubscribe.',
};
