import type { Mailer, OutgoingMail, SentMail } from '../ports/mailer';

export interface PacedMailerOptions {
  mailer: Mailer;
  /** Mails a second this mailer may start, on average: its share of the account's sending rate. */
  perSecond: number;
  /** Milliseconds on a clock that only moves forward. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Holds a mailer's sends to a rate: SES refuses what an account sends above its maximum send rate (a Throttling
 * error, "Maximum sending rate exceeded"), and the weekly digests of a whole slot would otherwise go out as fast as
 * the page workers can render them. Each send takes the next free slot of 1/perSecond s and waits for it; the
 * workers of the weekly-pages queue each get the account's rate divided by how many of them run at once.
 */
export class PacedMailer implements Mailer {
  readonly #mailer: Mailer;
  readonly #interval: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #nextSlot = Number.NEGATIVE_INFINITY;

  constructor(options: PacedMailerOptions) {
    if (!(options.perSecond > 0)) throw new Error(`A send rate must be above 0 a second, not ${options.perSecond}`);
    this.#mailer = options.mailer;
    this.#interval = 1000 / options.perSecond;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const now = this.#now();
    // A slot left unused is not saved up: after a pause the next send goes at once, and no burst follows it.
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + this.#interval;
    if (slot > now) await this.#sleep(slot - now);
    return this.#mailer.send(mail);
  }
}
