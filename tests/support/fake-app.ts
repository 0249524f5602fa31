import { basename } from 'node:path';
import type { ActionItemView, ActionOutcome, LocalApp } from '../../functions/adapters/local/http-server';
import type { OutboxEntry } from '../../functions/adapters/local/outbox-mailer';
import type { OptOutKind } from '../../functions/domain/model';
import type { LinkAction } from '../../functions/domain/render/inputs';
import type { UnsubscribePageOutcome } from '../../functions/domain/render/pages';
import type { WebhookRequest, WebhookResponse } from '../../functions/use-cases/receive-webhook';

export type FakeItemState = 'open' | 'done' | 'dropped' | 'snoozed';

interface FakeLink {
  action: LinkAction;
  item: ActionItemView;
  /** Shared between the links of one item, as the real store's item is. */
  state: { value: FakeItemState };
}

type Failure = Extract<ActionOutcome, { ok: false }>;

interface FakeSubscriber {
  kind: OptOutKind;
  address: string;
  optedOut: boolean;
}

const stateAfter: Record<LinkAction, FakeItemState> = { done: 'done', drop: 'dropped', snooze: 'snoozed' };

export const failures: Record<'tampered' | 'not-yours' | 'unknown' | 'expired', Failure> = {
  tampered: {
    ok: false,
    status: 400,
    title: 'This link is damaged',
    message: 'Part of the link is missing or was changed. Use the button in the email again.',
  },
  'not-yours': {
    ok: false,
    status: 403,
    title: 'This link is someone else’s',
    message: 'It was sent to another person. Ask them, or use the link in your own email.',
  },
  unknown: { ok: false, status: 404, title: 'No such item', message: 'The item this link points to was deleted.' },
  expired: {
    ok: false,
    status: 410,
    title: 'This link has expired',
    message: 'Links work for 60 days. The latest digest has fresh ones.',
  },
};

export const marcusItem: ActionItemView = {
  text: 'Send the revised mutual action plan to the Globex champion',
  owner: 'Marcus Reid',
  due: 'Fri 13 Nov',
  meetingName: '1:1 Dana / Marcus — Thu 12 Nov',
};

/**
 * A LocalApp held in memory: items behind tokens with a state the action routes change, an outbox, and the
 * webhook bodies received. The real app (tokens, store, outbox files) is wired elsewhere; this one lets the
 * server's tests assert on state: what changed, and what did not.
 */
export class FakeApp implements LocalApp {
  readonly #links = new Map<string, FakeLink>();
  readonly #subscribers = new Map<string, FakeSubscriber>();
  readonly #failures = new Map<string, Failure>();
  readonly #outbox: { entry: OutboxEntry; html: string | null; text: string | null }[] = [];
  /** Webhook requests that reached the app: headers and body bytes as the server passed them. */
  readonly ingested: WebhookRequest[] = [];
  /** What the app answers every webhook request with (the real one is receiveWebhook's, tested on its own). */
  webhookAnswer: WebhookResponse = {
    status: 202,
    body: { outcome: 'ingested', meetingId: 'mtg_fake_0001', items: 2, wrapupAt: '2026-11-13T09:00:00.000Z' },
  };
  /** Names the outbox was asked for, so a test can see a bad name never reached the app. */
  readonly outboxReads: string[] = [];
  /** When set, every call throws it: the app's own failure, not the caller's. */
  crash: Error | null = null;

  /** Adds an item and one link to it per action; returns the tokens. */
  addItem(id: string, item: ActionItemView = marcusItem): Record<LinkAction, string> & { state(): FakeItemState } {
    const state = { value: 'open' as FakeItemState };
    const tokens = { done: `${id}.done`, drop: `${id}.drop`, snooze: `${id}.snooze` };
    for (const action of ['done', 'drop', 'snooze'] as const) this.#links.set(tokens[action], { action, item, state });
    return { ...tokens, state: () => state.value };
  }

  addFailure(token: string, failure: Failure): void {
    this.#failures.set(token, failure);
  }

  addMessage(entry: OutboxEntry, parts: { html: string | null; text: string | null }): void {
    this.#outbox.push({ entry, ...parts });
  }

  async receiveWebhook(request: WebhookRequest): Promise<WebhookResponse> {
    this.#throwIfCrashed();
    this.ingested.push(request);
    return this.webhookAnswer;
  }

  async previewAction(token: string): Promise<ActionOutcome> {
    return this.#act(token, (link) => (link.state.value === 'open' ? 'confirm' : 'already'));
  }

  async applyAction(token: string): Promise<ActionOutcome> {
    return this.#act(token, (link) => {
      if (link.state.value !== 'open') return 'already';
      link.state.value = stateAfter[link.action];
      return 'applied';
    });
  }

  async undoAction(token: string): Promise<ActionOutcome> {
    return this.#act(token, (link) => {
      if (link.state.value === 'open') return 'already';
      link.state.value = 'open';
      return 'undone';
    });
  }

  /** An unsubscribe token for one person and kind, subscribed; `optedOut()` reads what the routes made of it. */
  addSubscriber(
    token: string,
    kind: OptOutKind = 'weekly',
    address = 'marcus.reid@acme-sales.example',
  ): { optedOut(): boolean } {
    const subscriber = { kind, address, optedOut: false };
    this.#subscribers.set(token, subscriber);
    return { optedOut: () => subscriber.optedOut };
  }

  async previewUnsubscribe(token: string): Promise<UnsubscribePageOutcome> {
    return this.#unsubscribe(token, (subscriber) => (subscriber.optedOut ? 'already-unsubscribed' : 'confirm'));
  }

  async applyUnsubscribe(token: string, request: { resubscribe: boolean }): Promise<UnsubscribePageOutcome> {
    return this.#unsubscribe(token, (subscriber) => {
      const wanted = !request.resubscribe;
      if (subscriber.optedOut === wanted) return wanted ? 'already-unsubscribed' : 'already-subscribed';
      subscriber.optedOut = wanted;
      return wanted ? 'unsubscribed' : 'resubscribed';
    });
  }

  async listOutbox(): Promise<OutboxEntry[]> {
    this.#throwIfCrashed();
    return this.#outbox.map((message) => message.entry);
  }

  async readOutboxMessage(name: string) {
    this.#throwIfCrashed();
    this.outboxReads.push(name);
    return this.#outbox.find((message) => basename(message.entry.file) === name) ?? null;
  }

  #act(token: string, change: (link: FakeLink) => 'confirm' | 'applied' | 'already' | 'undone'): ActionOutcome {
    this.#throwIfCrashed();
    const failure = this.#failures.get(token);
    if (failure !== undefined) return failure;
    const link = this.#links.get(token);
    if (link === undefined) return failures.unknown;
    const state = change(link);
    return { ok: true, state, action: link.action, item: link.item, token, undoable: state === 'applied' };
  }

  #unsubscribe(
    token: string,
    change: (subscriber: FakeSubscriber) => Extract<UnsubscribePageOutcome, { ok: true }>['state'],
  ): UnsubscribePageOutcome {
    this.#throwIfCrashed();
    const failure = this.#failures.get(token);
    if (failure !== undefined) return failure;
    const subscriber = this.#subscribers.get(token);
    if (subscriber === undefined) return failures.tampered;
    const state = change(subscriber);
    return { ok: true, state, kind: subscriber.kind, address: subscriber.address };
  }

  #throwIfCrashed(): void {
    if (this.crash !== null) throw this.crash;
  }
}
