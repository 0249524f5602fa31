import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { BedrockExtractor, MAX_NOTES_CHARS } from '../../../../functions/adapters/aws/bedrock-extractor';
import { parseEmail } from '../../../../functions/domain/email/parse-email';
import { type NotesMessage, readNotes } from '../../../../functions/domain/email/read-notes';
import { InvalidInputError } from '../../../../functions/domain/errors';
import { rulesExtractor } from '../../../../functions/domain/extraction/rules-extractor';
import type { Extraction } from '../../../../functions/domain/model';
import { fixtureBytes } from '../../../support/fixtures';

const modelId = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const options = { inboxAddresses: ['notes@followthrough.example'] };
const leo = 'leo.martins@northwind-sales.example';
const priya = 'priya.raman@northwind-sales.example';

/** The notes of demo-one-on-one.eml (Priya's 1:1 with Leo), read as the CLI's extract command reads them. */
async function demoNotes(): Promise<NotesMessage> {
  return await readNotes(await parseEmail(fixtureBytes('demo-one-on-one.eml')));
}

async function rulesResult(notes: NotesMessage): Promise<Extraction> {
  return rulesExtractor.extract(notes, options);
}

/** Converse's answer for demo-one-on-one.eml, in the shape the SDK returns it (tests/fixtures/bedrock). */
function recordedResponse(): ConverseCommandOutput {
  const path = join(import.meta.dirname, '../../../fixtures/bedrock/converse-demo-one-on-one.json');
  return JSON.parse(readFileSync(path, 'utf8')) as ConverseCommandOutput;
}

/** The recorded response with another tool input. */
function answering(input: unknown): ConverseCommandOutput {
  const response = recordedResponse();
  const toolUse = response.output?.message?.content?.[0]?.toolUse;
  if (toolUse === undefined) throw new Error('the recorded response has no toolUse block');
  toolUse.input = input as typeof toolUse.input;
  return response;
}

/** One model item, complete, for the tests that vary one field of it. */
function modelItem(fields: Record<string, unknown>) {
  return {
    text: 'Send the pricing deck',
    owner: leo,
    ownerSource: 'Leo:',
    due: '2026-11-19',
    dueSource: 'by Thursday',
    source: '- Leo: send the pricing deck by Thursday',
    section: 'action',
    ...fields,
  };
}

/** An extractor whose client (this one instance) answers from a mock; every fallback reason is kept. */
function mockedExtractor(timeoutMs = 8_000): {
  extractor: BedrockExtractor;
  bedrock: AwsClientStub<BedrockRuntimeClient>;
  reasons: string[];
} {
  const client = new BedrockRuntimeClient({ region: 'eu-west-1' });
  const bedrock = mockClient(client);
  const reasons: string[] = [];
  const extractor = new BedrockExtractor({
    client,
    modelId,
    timeoutMs,
    fallback: rulesExtractor,
    onFallback: (reason) => reasons.push(reason),
  });
  return { extractor, bedrock, reasons };
}

/** The one Converse input the mock received. */
function sentInput(bedrock: AwsClientStub<BedrockRuntimeClient>): ConverseCommandInput {
  const calls = bedrock.commandCalls(ConverseCommand);
  expect(calls).toHaveLength(1);
  const input = calls[0]?.args[0].input;
  if (input === undefined) throw new Error('no Converse call');
  return input;
}

describe('BedrockExtractor', () => {
  describe('the request', () => {
    it('asks the model once, forced to answer with the record_action_items tool, at temperature 0', async () => {
      // Prepare
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());
      const notes = await demoNotes();

      // Act
      await extractor.extract(notes, options);

      // Assess
      expect(sentInput(bedrock)).toEqual({
        modelId,
        system: [{ text: expect.stringContaining('An item is a commitment someone made') }],
        messages: [
          {
            role: 'user',
            content: [
              {
                text: [
                  'Meeting date: 2026-11-17 (Tuesday)',
                  'Subject: 1:1 Priya / Leo - pipeline and Q4 commit',
                  'Attendees:',
                  `- Priya Raman <${priya}>`,
                  `- Leo Martins <${leo}>`,
                  `Author ("I", "me"): Priya Raman <${priya}>`,
                  "Numeric dates follow the sender's locale (Date header offset -05:00).",
                  '',
                  '<notes>',
                  notes.body,
                  '</notes>',
                ].join('\n'),
              },
            ],
          },
        ],
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: 'record_action_items',
                description: expect.any(String),
                inputSchema: { json: expect.objectContaining({ type: 'object', required: ['items'] }) },
              },
            },
          ],
          toolChoice: { tool: { name: 'record_action_items' } },
        },
        inferenceConfig: { temperature: 0, maxTokens: 4096 },
      });
    });

    it('states the labelling rules in the system prompt: what an item is, owners, due dates', async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());

      await extractor.extract(await demoNotes(), options);

      const system = sentInput(bedrock).system?.[0]?.text ?? '';
      expect(system).toMatch(/not items: status .* already done, questions, .*coaching.*agenda topics.*quoted/s);
      expect(system).toMatch(/"I", "me" and "my" are the author; "you" is the other attendee/);
      expect(system).toMatch(/YYYY-MM-DD.*meeting's local calendar.*null when .* vague/s);
    });

    it('gives the model the schema of one item: every field named, at most 100 items, dates as YYYY-MM-DD', async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());

      await extractor.extract(await demoNotes(), options);

      const schema = sentInput(bedrock).toolConfig?.tools?.[0]?.toolSpec?.inputSchema?.json as {
        $schema?: unknown;
        properties: { items: { maxItems: number; items: { required: string[]; properties: { due: unknown } } } };
      };
      expect(schema.$schema).toBeUndefined();
      expect(schema.properties.items.maxItems).toBe(100);
      expect(schema.properties.items.items.required.sort()).toEqual(
        ['text', 'owner', 'ownerSource', 'due', 'dueSource', 'source', 'section'].sort(),
      );
      expect(JSON.stringify(schema.properties.items.items.properties.due)).toContain('^\\\\d{4}-\\\\d{2}-\\\\d{2}$');
    });

    it("passes the message's Content-Language as a hint to the order of numeric dates", async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());

      await extractor.extract({ ...(await demoNotes()), contentLanguage: 'en-GB' }, options);

      expect(sentInput(bedrock).messages?.[0]?.content?.[0]?.text).toContain(
        "Numeric dates follow the sender's locale (Content-Language en-GB, Date header offset -05:00).",
      );
    });
  });

  describe('the answer', () => {
    it("returns the model's items, owners as attendee addresses, with the rules' meeting facts", async () => {
      // Prepare
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());
      const notes = await demoNotes();

      // Act
      const extraction = await extractor.extract(notes, options);

      // Assess
      expect(extraction.meeting).toEqual((await rulesResult(notes)).meeting);
      expect(extraction.items).toEqual([
        {
          text: 'Send the redlined MSA to Bramble & Finch',
          owner: leo,
          ownerName: 'Leo Martins',
          due: '2026-11-19',
          source: '- Leo: send Bramble & Finch the redlined MSA by Thursday',
          ownerSource: 'Leo:',
          dueSource: 'by Thursday',
          flags: [],
          section: 'action',
        },
        {
          text: 'Re-engage Osprey Clinics with the ROI calculator',
          owner: leo,
          ownerName: 'Leo Martins',
          due: '2026-11-24',
          source: '- Leo: re-engage Osprey Clinics with the ROI calculator by 11/24',
          ownerSource: 'Leo:',
          dueSource: 'by 11/24',
          flags: [],
          section: 'action',
        },
        {
          text: 'Get the multi-year discount approved by Finance',
          owner: priya,
          ownerName: 'Priya Raman',
          due: '2026-11-20',
          source: '- Priya: get the multi-year discount approved by Finance by EOW',
          ownerSource: 'Priya:',
          dueSource: 'by EOW',
          flags: [],
          section: 'action',
        },
        {
          text: 'Find a new champion at Larkspur Media and book a meeting',
          owner: leo,
          ownerName: 'Leo Martins',
          due: null,
          source: '- Leo: find a new champion at Larkspur Media and book a meeting',
          ownerSource: 'Leo:',
          dueSource: null,
          flags: ['no-date'],
          section: 'action',
        },
        {
          text: 'Set up the Bramble & Finch sandbox',
          owner: 'Tomas',
          ownerName: 'Tomas',
          due: '2026-11-18',
          source: '- Tomas (SE): set up the Bramble & Finch sandbox - tomorrow',
          ownerSource: 'Tomas (SE):',
          dueSource: 'tomorrow',
          flags: ['owner-not-attendee'],
          section: 'action',
        },
      ]);
      expect(reasons).toEqual([]);
    });

    it('keeps an owner who did not attend as written, flagged owner-not-attendee', async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [modelItem({ owner: 'Tomas' })] }));

      const [item] = (await extractor.extract(await demoNotes(), options)).items;

      expect(item).toMatchObject({ owner: 'Tomas', ownerName: 'Tomas', flags: ['owner-not-attendee'] });
    });

    it("maps an attendee's address in another case to the address as the headers spell it", async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [modelItem({ owner: leo.toUpperCase() })] }));

      const [item] = (await extractor.extract(await demoNotes(), options)).items;

      expect(item).toMatchObject({ owner: leo, ownerName: 'Leo Martins', flags: [] });
    });

    it("reads an attendee named rather than addressed as the rules would: Leo is Leo Martins's address", async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [modelItem({ owner: 'Leo' })] }));

      const [item] = (await extractor.extract(await demoNotes(), options)).items;

      expect(item).toMatchObject({ owner: leo, ownerName: 'Leo Martins', flags: [] });
    });

    it('flags an item without owner or date as the rules do, and drops the source of an owner it does not have', async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock
        .on(ConverseCommand)
        .resolves(answering({ items: [modelItem({ owner: '  ', ownerSource: 'Leo:', due: null, dueSource: null })] }));

      const [item] = (await extractor.extract(await demoNotes(), options)).items;

      expect(item).toMatchObject({ owner: null, ownerName: null, ownerSource: null, due: null });
      expect(item?.flags).toEqual(['no-owner', 'no-date']);
    });

    it("uses the item's text as its source when the model names no line", async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [modelItem({ source: null })] }));

      const [item] = (await extractor.extract(await demoNotes(), options)).items;

      expect(item?.source).toBe('Send the pricing deck');
    });

    it('trims the text and starts it with a capital, as the rules write tasks', async () => {
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [modelItem({ text: '  send the pricing deck ' })] }));

      const [item] = (await extractor.extract(await demoNotes(), options)).items;

      expect(item?.text).toBe('Send the pricing deck');
    });

    it('returns no items when the model records none', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [] }));

      const extraction = await extractor.extract(await demoNotes(), options);

      expect(extraction.items).toEqual([]);
      expect(reasons).toEqual([]);
    });
  });

  describe('the fallback to the rules', () => {
    it('returns the rules’ result when Bedrock throttles', async () => {
      // Prepare
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock
        .on(ConverseCommand)
        .rejects(new ThrottlingException({ message: 'Too many requests, please wait.', $metadata: {} }));
      const notes = await demoNotes();

      // Act
      const extraction = await extractor.extract(notes, options);

      // Assess
      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons).toEqual(['ThrottlingException']);
    });

    it('returns the rules’ result when the model does not answer in time, and aborts the request', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor(50);
      bedrock.on(ConverseCommand).callsFake(() => new Promise(() => {}));
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons).toEqual(['no answer within 50 ms']);
      // The mock's types know only the command; the client's send takes its HTTP options second.
      const [, sendOptions] = (bedrock.commandCalls(ConverseCommand)[0]?.args ?? []) as unknown as [
        unknown,
        { abortSignal?: AbortSignal } | undefined,
      ];
      expect(sendOptions?.abortSignal?.aborted).toBe(true);
    });

    it('returns the rules’ result when a due date is not a day of the calendar', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: [modelItem({ due: '2026-02-30' })] }));
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons).toEqual(['invalid tool input at items.0.due: not a day of the calendar']);
    });

    it('returns the rules’ result when the tool input is not the JSON object asked for', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering('{"items": [{"text": "Send the pricing'));
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/^invalid tool input at \(root\): /);
      expect(reasons[0]).not.toContain('pricing');
    });

    it('returns the rules’ result when an item is missing a field the schema requires', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      const { section: _section, ...withoutSection } = modelItem({});
      bedrock.on(ConverseCommand).resolves(answering({ items: [withoutSection] }));
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons[0]).toMatch(/^invalid tool input at items\.0\.section: /);
    });

    it('returns the rules’ result when the model records more than 100 items', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(answering({ items: Array.from({ length: 101 }, () => modelItem({})) }));
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons[0]).toMatch(/^invalid tool input at items: /);
    });

    it('returns the rules’ result when the model ran out of tokens', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves({ ...recordedResponse(), stopReason: 'max_tokens' });
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons).toEqual(['stopReason max_tokens']);
    });

    it('returns the rules’ result when the answer holds no toolUse block', async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves({
        ...recordedResponse(),
        output: { message: { role: 'assistant', content: [{ text: 'Here are the action items: …' }] } },
      });
      const notes = await demoNotes();

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(reasons).toEqual(['no record_action_items toolUse block']);
    });

    it(`does not send notes longer than ${MAX_NOTES_CHARS} characters, which would be cut`, async () => {
      const { extractor, bedrock, reasons } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());
      const demo = await demoNotes();
      const notes = { ...demo, body: `${demo.body}\n\n${'Pipeline review. '.repeat(2_000)}` };

      const extraction = await extractor.extract(notes, options);

      expect(extraction).toEqual(await rulesResult(notes));
      expect(bedrock.commandCalls(ConverseCommand)).toEqual([]);
      expect(reasons).toEqual([`notes over ${MAX_NOTES_CHARS} characters`]);
    });

    it('rejects notes without a readable Date as the rules do, without asking the model', async () => {
      // Prepare
      const { extractor, bedrock } = mockedExtractor();
      bedrock.on(ConverseCommand).resolves(recordedResponse());
      const eml = new TextDecoder().decode(fixtureBytes('demo-one-on-one.eml')).replace(/^Date: .*\r?\n/m, '');
      const notes = await readNotes(await parseEmail(new TextEncoder().encode(eml)));

      // Act
      const error = await extractor.extract(notes, options).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: 'Date' });
      await expect(rulesExtractor.extract(notes, options)).rejects.toThrow((error as Error).message);
      expect(bedrock.commandCalls(ConverseCommand)).toEqual([]);
    });
  });
});
