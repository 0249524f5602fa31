import { Readable } from 'node:stream';
import {
  MessageRejected,
  SESClient,
  type SESClientConfig,
  SESServiceException,
  SendRawEmailCommand,
} from '@aws-sdk/client-ses';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { SesMailer, sesMessageId } from '../../../../functions/adapters/aws/ses-mailer';
import type { Clock } from '../../../../functions/ports/clock';
import type { OutgoingMail } from '../../../../functions/ports/mailer';

const clock: Clock = { now: () => new Date('2026-11-13T09:00:00.000Z') };
const sesId = '0102018f2a6c0a1d-9c1b2a3e-4f5d-4e6a-8b7c-1d2e3f4a5b6c-000000';

/** A mailer whose client (this one instance, not the class) answers from a mock that accepts every message. */
function mockedMailer(config: SESClientConfig = { region: 'eu-west-1' }): {
  mailer: SesMailer;
  ses: AwsClientStub<SESClient>;
} {
  const client = new SESClient(config);
  const ses = mockClient(client);
  ses.on(SendRawEmailCommand).resolves({ MessageId: sesId });
  return { mailer: new SesMailer({ client, configurationSet: 'followthrough-mail', clock }), ses };
}

function wrapupMail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    kind: 'wrapup',
    from: { address: 'notes@acme.example', name: 'followthrough' },
    to: [
      { address: 'zoe.ostergaard@acme.example', name: 'Zoë Østergaard' },
      { address: 'marcus.reid@acme.example', name: null },
    ],
    subject: 'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov',
    text: 'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov\n\n1. Send the revised MAP to the Globex champion\n',
    html: '<!doctype html><html><body><h1>Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov</h1></body></html>',
    messageId: '<3c9e1f2a-5b7d-4e8f-a1c2-d3e4f5a6b7c8@acme.example>',
    headers: {
      'In-Reply-To': '<0102018f2a6c0000-notes@eu-west-1.amazonses.com>',
      References: '<0102018f2a6c0000-notes@eu-west-1.amazonses.com>',
      'List-Unsubscribe': '<https://ft.acme.example/unsubscribe?t=tok_9f2c>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Followthrough-Meeting': 'mtg_01JCZOEMARCUS1112',
    },
    ...overrides,
  };
}

/** The one SendRawEmail input the mock received. */
function sentInput(ses: AwsClientStub<SESClient>) {
  const calls = ses.commandCalls(SendRawEmailCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  if (input === undefined) throw new Error('no SendRawEmail call');
  return input;
}

async function sentEmail(ses: AwsClientStub<SESClient>) {
  const data = sentInput(ses).RawMessage?.Data;
  if (data === undefined) throw new Error('no raw message');
  return PostalMime.parse(data);
}

describe('SesMailer', () => {
  it('sends the raw message through the configuration set to every recipient, from the plain sender address', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();

    // Act
    await mailer.send(wrapupMail());

    // Assess
    const { RawMessage: _raw, ...input } = sentInput(ses);
    expect(input).toEqual({
      Source: 'notes@acme.example',
      Destinations: ['zoe.ostergaard@acme.example', 'marcus.reid@acme.example'],
      ConfigurationSetName: 'followthrough-mail',
    });
  });

  it('sends From, To and Subject, non-ASCII names included', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();

    // Act
    await mailer.send(wrapupMail());

    // Assess
    const email = await sentEmail(ses);
    expect(email.from).toEqual({ name: 'followthrough', address: 'notes@acme.example' });
    expect(email.to).toEqual([
      { name: 'Zoë Østergaard', address: 'zoe.ostergaard@acme.example' },
      { name: '', address: 'marcus.reid@acme.example' },
    ]);
    expect(email.subject).toBe('Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov');
  });

  it('sends In-Reply-To, References, List-Unsubscribe, List-Unsubscribe-Post and the kind as given', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();

    // Act
    await mailer.send(wrapupMail());

    // Assess
    const email = await sentEmail(ses);
    const header = (key: string) => email.headers.find((h) => h.key === key)?.value;
    expect(email.inReplyTo).toBe('<0102018f2a6c0000-notes@eu-west-1.amazonses.com>');
    expect(email.references).toBe('<0102018f2a6c0000-notes@eu-west-1.amazonses.com>');
    expect(header('list-unsubscribe')).toBe('<https://ft.acme.example/unsubscribe?t=tok_9f2c>');
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header('x-followthrough-kind')).toBe('wrapup');
    expect(header('x-followthrough-meeting')).toBe('mtg_01JCZOEMARCUS1112');
  });

  it('sends both the text and the HTML part', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();

    // Act
    await mailer.send(wrapupMail());

    // Assess
    const email = await sentEmail(ses);
    expect(email.text?.replace(/\r\n/g, '\n').trimEnd()).toBe(
      'Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov\n\n1. Send the revised MAP to the Globex champion',
    );
    expect(email.html?.trimEnd()).toBe(
      '<!doctype html><html><body><h1>Wrap-up: 1:1 Zoë / Marcus — Thu 12 Nov</h1></body></html>',
    );
  });

  it("returns the Message-ID SES writes in its region's domain, and the SES MessageId as the location", async () => {
    // Prepare
    const { mailer } = mockedMailer({ region: 'eu-west-1' });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    expect(sent).toEqual({ messageId: `<${sesId}@eu-west-1.amazonses.com>`, location: sesId });
  });

  it('[R21] writes the Message-ID it is given into the raw message, for SES to replace', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();

    // Act
    await mailer.send(wrapupMail());

    // Assess
    expect((await sentEmail(ses)).messageId).toBe('<3c9e1f2a-5b7d-4e8f-a1c2-d3e4f5a6b7c8@acme.example>');
  });

  it('returns the Message-ID of the email.amazonses.com domain in us-east-1', async () => {
    // Prepare
    const { mailer } = mockedMailer({ region: 'us-east-1' });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    expect(sent.messageId).toBe(`<${sesId}@email.amazonses.com>`);
  });

  it('refuses a line break in a header value before anything is sent', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();
    // In-Reply-To and References are cut down to their msg-ids instead (a received Message-ID is a stranger's text).
    const mail = wrapupMail({ headers: { 'X-Followthrough-Meeting': 'mtg_1\r\nBcc: leak@elsewhere.example' } });

    // Act
    const sending = mailer.send(mail);

    // Assess
    await expect(sending).rejects.toThrow(/refusing header/);
    expect(ses.commandCalls(SendRawEmailCommand)).toEqual([]);
  });

  it('lets a MessageRejected error surface', async () => {
    // Prepare
    const { mailer, ses } = mockedMailer();
    ses
      .on(SendRawEmailCommand)
      .rejects(new MessageRejected({ message: 'Email address is not verified.', $metadata: { httpStatusCode: 400 } }));

    // Act
    const sending = mailer.send(wrapupMail());

    // Assess
    await expect(sending).rejects.toBeInstanceOf(MessageRejected);
  });

  it('lets throttling surface unretried, the retries being the client middleware the mock stands in for', async () => {
    // Prepare
    // aws-sdk-client-mock stubs Client#send itself, so the retry middleware never runs: with maxAttempts 2 the mock
    // still sees one call. What this shows is that the mailer neither swallows nor retries the error on its own.
    const throttled = new SESServiceException({
      name: 'Throttling',
      $fault: 'client',
      message: 'Maximum sending rate exceeded.',
      $metadata: { httpStatusCode: 400 },
    });
    const { mailer, ses } = mockedMailer({ region: 'eu-west-1', maxAttempts: 2 });
    ses.on(SendRawEmailCommand).rejectsOnce(throttled).resolves({ MessageId: sesId });

    // Act
    const sending = mailer.send(wrapupMail());

    // Assess
    await expect(sending).rejects.toBe(throttled);
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(1);
  });
});

describe('SesMailer on a real SES client', () => {
  it('is retried by the client when SES throttles, and returns the id of the attempt that went through', async () => {
    // Prepare
    // Below the client's middleware, at the HTTP handler, so that its retry strategy runs as it does on AWS; the SDK
    // waits up to a second before the retry.
    const answers = [
      { statusCode: 400, body: throttlingXml },
      { statusCode: 200, body: sendRawEmailXml(sesId) },
    ];
    const requests: string[] = [];
    const requestHandler: SESClientConfig['requestHandler'] = {
      handle: async (request: { body?: unknown }) => {
        requests.push(String(request.body));
        const answer = answers.shift() ?? { statusCode: 500, body: '' };
        return {
          response: {
            statusCode: answer.statusCode,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(answer.body)]),
          },
        };
      },
    };
    const client = new SESClient({
      region: 'eu-west-1',
      maxAttempts: 2,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      requestHandler,
    });
    const mailer = new SesMailer({ client, configurationSet: 'followthrough-mail', clock });

    // Act
    const sent = await mailer.send(wrapupMail());

    // Assess
    expect(sent.location).toBe(sesId);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toBe(requests[0]);
  });
});

const throttlingXml = `<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">
<Error><Type>Sender</Type><Code>Throttling</Code><Message>Maximum sending rate exceeded.</Message></Error>
<RequestId>3f6a1b2c-0000-4000-8000-000000000001</RequestId></ErrorResponse>`;

function sendRawEmailXml(messageId: string): string {
  return `<SendRawEmailResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">
<SendRawEmailResult><MessageId>${messageId}</MessageId></SendRawEmailResult>
<ResponseMetadata><RequestId>3f6a1b2c-0000-4000-8000-000000000002</RequestId></ResponseMetadata></SendRawEmailResponse>`;
}

describe('sesMessageId', () => {
  it('names the region in the domain outside us-east-1', () => {
    // Act
    const id = sesMessageId('abc', 'ap-southeast-2');

    // Assess
    expect(id).toBe('<abc@ap-southeast-2.amazonses.com>');
  });
});
