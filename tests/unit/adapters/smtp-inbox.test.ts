import { createTransport } from 'nodemailer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SmtpEnvelope, startSmtpInbox } from '../../../functions/adapters/local/smtp-inbox';

interface Received {
  raw: Uint8Array;
  envelope: SmtpEnvelope;
}

let inbox: { port: number; close(): Promise<void> } | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await inbox?.close();
  inbox = undefined;
});

async function startInbox(options: { maxBytes?: number; fail?: Error } = {}): Promise<Received[]> {
  const received: Received[] = [];
  inbox = await startSmtpInbox({
    port: 0,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    async onMessage(raw, envelope) {
      if (options.fail !== undefined) throw options.fail;
      received.push({ raw, envelope });
    },
  });
  return received;
}

function send(raw: Buffer, envelope: { from: string; to: string[] }) {
  const transport = createTransport({ host: '127.0.0.1', port: inbox?.port ?? 0, secure: false, ignoreTLS: true });
  return transport.sendMail({ envelope, raw });
}

// CRLF line ends, UTF-8 in a header and the body, and lines starting with a dot (which SMTP must stuff and
// unstuff): what arrives has to be the same bytes, or the archive and the Message-ID hash would differ.
const message = Buffer.from(
  [
    'From: Dana Whitfield <dana.whitfield@acme.example>',
    'To: notes@acme.example',
    'Subject: =?UTF-8?Q?1:1_Marcus_/_Dana_=E2=80=94_pipeline?=',
    'Message-ID: <CAF8d1x2=notes@mail.acme.example>',
    'Date: Thu, 12 Nov 2026 12:41:55 -0500',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Action items',
    '- Marcus: send the revised MAP to Zoë by Friday',
    '.hidden line that starts with a dot',
    '..two dots',
    '',
    'Dana',
    '',
  ].join('\r\n'),
  'utf8',
);

describe('startSmtpInbox', () => {
  it('hands over the message bytes exactly as sent', async () => {
    // Prepare
    const received = await startInbox();

    // Act
    await send(message, { from: 'dana.whitfield@acme.example', to: ['notes@acme.example'] });

    // Assess
    expect(received).toHaveLength(1);
    expect(received[0]?.raw).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(received[0]?.raw ?? []).equals(message)).toBe(true);
  });

  it('hands over the envelope sender and every recipient', async () => {
    // Prepare
    const received = await startInbox();

    // Act
    await send(message, {
      from: 'dana.whitfield@acme.example',
      to: ['notes@acme.example', 'archive@acme.example'],
    });

    // Assess
    expect(received[0]?.envelope).toEqual({
      from: 'dana.whitfield@acme.example',
      to: ['notes@acme.example', 'archive@acme.example'],
    });
  });

  it('answers 250 with the message queued', async () => {
    // Prepare
    await startInbox();

    // Act
    const info = await send(message, { from: 'dana.whitfield@acme.example', to: ['notes@acme.example'] });

    // Assess
    expect(info.response).toMatch(/^250 /);
  });

  it('refuses a message over the size limit with 552 and hands nothing over', async () => {
    // Prepare
    const received = await startInbox({ maxBytes: 1024 });
    const big = Buffer.concat([message, Buffer.from(`${'x'.repeat(76)}\r\n`.repeat(40))]);

    // Act
    const sending = send(big, { from: 'dana.whitfield@acme.example', to: ['notes@acme.example'] });

    // Assess
    await expect(sending).rejects.toMatchObject({ responseCode: 552 });
    expect(received).toEqual([]);
  });

  it('accepts a message of exactly the size limit', async () => {
    // Prepare
    const received = await startInbox({ maxBytes: message.length });

    // Act
    await send(message, { from: 'dana.whitfield@acme.example', to: ['notes@acme.example'] });

    // Assess
    expect(received).toHaveLength(1);
  });

  it('keeps serving after refusing an oversized message', async () => {
    // Prepare
    const received = await startInbox({ maxBytes: 1024 });
    await send(Buffer.alloc(4096, 0x61), { from: 'a@acme.example', to: ['notes@acme.example'] }).catch(() => undefined);

    // Act
    await send(message, { from: 'dana.whitfield@acme.example', to: ['notes@acme.example'] });

    // Assess
    expect(received).toHaveLength(1);
  });

  it('answers 451 when taking the message in fails, so the sender retries', async () => {
    // Prepare
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failure = new Error('store unavailable');
    await startInbox({ fail: failure });

    // Act
    const sending = send(message, { from: 'dana.whitfield@acme.example', to: ['notes@acme.example'] });

    // Assess
    await expect(sending).rejects.toMatchObject({ responseCode: 451 });
    expect(log.mock.calls.flat()).toContain(failure);
  });

  it('listens on 127.0.0.1 only', async () => {
    // Prepare
    await startInbox();
    const transport = createTransport({
      host: '::1',
      port: inbox?.port ?? 0,
      ignoreTLS: true,
      connectionTimeout: 2000,
    });

    // Act
    const sending = transport.sendMail({
      envelope: { from: 'a@acme.example', to: ['notes@acme.example'] },
      raw: message,
    });

    // Assess
    await expect(sending).rejects.toMatchObject({ code: expect.stringMatching(/^E/) });
  });
});
