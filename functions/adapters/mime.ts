import { createTransport } from 'nodemailer';
import type { Person } from '../domain/model';
import type { OutgoingMail } from '../ports/mailer';

export const kindHeader = 'X-Followthrough-Kind';

export interface MimeOptions {
  /** The Date header (SES replaces it with the time it accepted the message). */
  date: Date;
  /** The Message-ID header, in angle brackets (SES replaces it with its own). */
  messageId: string;
}

// CRLF because that is what goes over the wire: SES takes the bytes as they are, and an .eml of the outbox shows what a
// recipient would see.
const transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

/**
 * The RFC 5322 bytes of a message: text and HTML as multipart/alternative, our headers (In-Reply-To, References,
 * List-Unsubscribe, X-Followthrough-*) as given, and the kind of mail in `X-Followthrough-Kind`.
 */
export async function composeMime(mail: OutgoingMail, options: MimeOptions): Promise<Buffer> {
  const info = await transport.sendMail({
    from: mailbox(mail.from),
    to: mail.to.map(mailbox),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    date: options.date,
    messageId: options.messageId,
    headers: { ...checkedHeaders(mail.headers ?? {}), [kindHeader]: mail.kind },
  });
  if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer returned a stream although buffer was requested');
  return info.message;
}

function mailbox(person: Person): { name: string; address: string } | string {
  return person.name === null ? person.address : { name: person.name, address: person.address };
}

function checkedHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    // A line break in a header would let data (a subject, a name) write headers of its own, such as Bcc.
    if (!/^[A-Za-z0-9-]+$/.test(name) || /[\r\n]/.test(value)) {
      throw new Error(
        `refusing header ${JSON.stringify(name)}: a header name is letters, digits and dashes, a value is one line`,
      );
    }
  }
  return headers;
}
