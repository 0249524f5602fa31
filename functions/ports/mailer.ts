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
  /** Extra headers of ours (X-Followthrough-*), sent as they are. */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  /** Where the message now is: a file path locally, the SES MessageId on AWS. */
  location: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<SentMail>;
}
