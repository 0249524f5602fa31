import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface SmtpEnvelope {
  /** MAIL FROM; null for the null sender `<>` of bounces. */
  from: string | null;
  /** Every RCPT TO, as given. */
  to: string[];
}

export interface SmtpInboxOptions {
  port: number;
  host?: '127.0.0.1';
  /** The largest message accepted, in bytes; 10 MB unless told. */
  maxBytes?: number;
  onMessage(raw: Uint8Array, envelope: SmtpEnvelope): Promise<void>;
}

export const defaultMaxBytes = 10 * 1024 * 1024;

/** An SMTP reply the server sends instead of 250. */
class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpReplyError';
  }
}

/**
 * The local stand-in for SES inbound: an SMTP server on 127.0.0.1 that hands each message, byte for byte, to
 * `onMessage`. No TLS and no authentication: it only ever hears this machine.
 */
export function startSmtpInbox(options: SmtpInboxOptions): Promise<{ port: number; close(): Promise<void> }> {
  const host = options.host ?? '127.0.0.1';
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // Advertised in EHLO, so a client that declares SIZE is refused before it sends anything.
    size: maxBytes,
    logger: false,
    banner: 'followthrough local inbox',
    // Connections still open when the stack stops are cut after this, rather than after the default 30 s.
    closeTimeout: 2_000,
    onData(stream, session, callback) {
      receive(stream, maxBytes).then(
        async (raw) => {
          if (raw === null) {
            callback(new SmtpReplyError(552, `Error: message exceeds fixed maximum message size ${maxBytes}`));
            return;
          }
          try {
            await options.onMessage(raw, envelopeOf(session));
            callback();
          } catch (error) {
            // 451 is temporary: the sender keeps the message and tries again, so nothing is lost to our bug.
            console.error('followthrough smtp: could not take in a message', error);
            callback(new SmtpReplyError(451, 'Temporary failure, try again later'));
          }
        },
        (error: unknown) => {
          console.error('followthrough smtp: the message stream failed', error);
          callback(new SmtpReplyError(451, 'Temporary failure, try again later'));
        },
      );
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      // Errors after start (a client resetting its connection) are the client's; the server keeps serving.
      server.on('error', (error) => console.error('followthrough smtp:', error));
      resolve({
        port: (server.server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** The whole message as one array, or null once it went over the limit (the rest is read and dropped). */
function receive(stream: SMTPServerDataStream, maxBytes: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      if (stream.sizeExceeded || length + chunk.length > maxBytes) {
        // The client is still sending; keep reading so that it gets its 552 after the final dot.
        chunks.length = 0;
        length = Number.POSITIVE_INFINITY;
        return;
      }
      chunks.push(chunk);
      length += chunk.length;
    });
    stream.once('error', reject);
    stream.once('end', () => {
      if (stream.sizeExceeded || length > maxBytes) {
        resolve(null);
        return;
      }
      // A fresh array rather than Buffer.concat's, which may be a view into Node's shared pool.
      const raw = new Uint8Array(length);
      let offset = 0;
      for (const chunk of chunks) {
        raw.set(chunk, offset);
        offset += chunk.length;
      }
      resolve(raw);
    });
  });
}

function envelopeOf(session: SMTPServerSession): SmtpEnvelope {
  const { mailFrom, rcptTo } = session.envelope;
  return {
    from: mailFrom === false || mailFrom.address === '' ? null : mailFrom.address,
    to: rcptTo.map((recipient) => recipient.address),
  };
}
