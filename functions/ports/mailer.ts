import type { Person } from '../domain/model';

/** The kinds of mail we send; they name the template and appear in the outbox. */
export type MailKind = 'wrapup' | 'digest' | 'weekly' | 'rollup' | 'confirmation' | 'notice';

export interface OutgoingMail {
  kind: MailKind;
  from: Person;
  to: Person[];
  subject: string;
  html: string;
  text: string;
  /**
   * The Message-ID to write, `<id@our domain>`: drawn once per mail (at its outbox claim), so that every attempt
   * to send the same mail carries the same one. A mailer that can tell it already sent this Message-ID does not
   * send it again.
   */
  messageId: string;
  /** Extra headers of ours (X-Followthrough-*), sent as they are. */
  headers?: Record<string, string>;
}

export interface SentMail {
  /** The Message-ID as delivered, the one replies will quote: ours locally, the one SES writes instead on AWS. */
  messageId: string;
  /** Where the message now is: a file path locally, the SES MessageId on AWS. */
  location: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<SentMail>;
}
