import { BedrockRuntimeClient, ConverseCommand, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BedrockExtractor } from '../../functions/adapters/aws/bedrock-extractor';
import {
  awsIdempotencyClient,
  awsRetry,
  extractorFromEnv,
  once,
  readLinkKeys,
  readWebhookSecret,
} from '../../functions/aws-wiring';
import { AWS_ENV } from '../../functions/config/aws-env';
import { parseEmail } from '../../functions/domain/email/parse-email';
import { readNotes } from '../../functions/domain/email/read-notes';
import { rulesExtractor } from '../../functions/domain/extraction/rules-extractor';
import { parseSigningKeys } from '../../functions/domain/links/token';
import { handler as actionLinks } from '../../functions/handlers/action-links';
import { handler as scheduledSend } from '../../functions/handlers/scheduled-send';
import { handler as sesInbound } from '../../functions/handlers/ses-inbound';
import { handler as webhook } from '../../functions/handlers/webhook';
import { lambdaContext } from '../support/aws-world';
import { fixtureBytes } from '../support/fixtures';

const secret = (value: object | string) => async () => (typeof value === 'string' ? value : JSON.stringify(value));
const key = 'Zq7Vb2Lx9Kc4Np8Rt1Wy6Hd3Mf5Gj0Sa2Ue7Xo4Ci9';

describe('the AWS wiring', () => {
  it('reads the link keys secret the CDK app generates as {keyId, secret}', async () => {
    const keys = await readLinkKeys('arn:secret', secret({ keyId: 'k1', secret: key }));

    expect(parseSigningKeys(keys)).toEqual([{ id: 'k1', secret: key }]);
  });

  it('keeps the previous keys of a rotation after the current one, which signs', async () => {
    const keys = await readLinkKeys('arn:secret', secret({ keyId: 'k2', secret: key, previous: `k1:${key}-old` }));

    expect(parseSigningKeys(keys).map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it('names what is wrong with a link keys secret of another shape, without repeating its value', async () => {
    const error = await readLinkKeys('arn:secret', secret({ key })).catch((e: unknown) => e);

    expect(String(error)).toMatch(/keyId/);
    expect(String(error)).not.toContain(key);
  });

  it('gives the webhook secret the whsec_ prefix Standard Webhooks expects, once', async () => {
    expect(await readWebhookSecret('arn:secret', secret(key))).toBe(`whsec_${key}`);
    expect(await readWebhookSecret('arn:secret', secret(`whsec_${key}\n`))).toBe(`whsec_${key}`);
  });

  it('builds a function’s dependencies once per cold start', async () => {
    let builds = 0;
    const deps = once(async () => ++builds);

    await Promise.all([deps(), deps()]);
    await deps();

    expect(builds).toBe(1);
  });

  it('tries again after a failed build instead of keeping the failure for the container’s life', async () => {
    let attempts = 0;
    const deps = once(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('secret briefly unreadable');
      return 'ready';
    });

    await expect(deps()).rejects.toThrow('briefly');
    expect(await deps()).toBe('ready');
  });

  it.each([
    ['ses-inbound', () => sesInbound({}, lambdaContext()), /FOLLOWTHROUGH_IDEMPOTENCY_TABLE/],
    ['scheduled-send', () => scheduledSend({}, lambdaContext()), /FOLLOWTHROUGH_IDEMPOTENCY_TABLE/],
    ['webhook', () => webhook({}), /FOLLOWTHROUGH_SES_CONFIGURATION_SET|FOLLOWTHROUGH_LINK_KEYS_SECRET/],
    ['action-links', () => actionLinks({}), /FOLLOWTHROUGH_LINK_KEYS_SECRET/],
  ])(
    'fails the %s function’s first invocation naming the missing variables, not its import',
    async (_name, invoke, names) => {
      await expect(invoke()).rejects.toThrow(names);
    },
  );
});

describe('the retries of the AWS clients', () => {
  it('[R24] gives the clients it builds the standard retry mode with four attempts, not the SDK default of three', async () => {
    const { client } = awsIdempotencyClient({ [AWS_ENV.idempotencyTable]: 'idempotency' });

    expect(awsRetry).toEqual({ retryMode: 'standard', maxAttempts: 4 });
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'standard' });
    expect(await client.config.maxAttempts()).toBe(4);
  });
});

describe('the extractor of the ingest functions', () => {
  const bedrock = mockClient(BedrockRuntimeClient);
  afterEach(() => bedrock.reset());
  afterAll(() => bedrock.restore());

  it('is the rules when nothing is set', async () => {
    expect(await extractorFromEnv({})).toBe(rulesExtractor);
  });

  it('is the rules when FOLLOWTHROUGH_EXTRACTOR says rules, or is empty', async () => {
    expect(await extractorFromEnv({ FOLLOWTHROUGH_EXTRACTOR: 'rules' })).toBe(rulesExtractor);
    expect(await extractorFromEnv({ FOLLOWTHROUGH_EXTRACTOR: '' })).toBe(rulesExtractor);
  });

  it('is Bedrock when FOLLOWTHROUGH_EXTRACTOR says bedrock and a model is named', async () => {
    const extractor = await extractorFromEnv({
      FOLLOWTHROUGH_EXTRACTOR: 'bedrock',
      FOLLOWTHROUGH_BEDROCK_MODEL_ID: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    });

    expect(extractor).toBeInstanceOf(BedrockExtractor);
  });

  it('fails naming FOLLOWTHROUGH_BEDROCK_MODEL_ID when Bedrock is chosen without a model', async () => {
    await expect(extractorFromEnv({ FOLLOWTHROUGH_EXTRACTOR: 'bedrock' })).rejects.toThrow(
      /FOLLOWTHROUGH_BEDROCK_MODEL_ID: required when FOLLOWTHROUGH_EXTRACTOR is bedrock/,
    );
  });

  it('fails naming FOLLOWTHROUGH_EXTRACTOR when it names no extractor we have', async () => {
    await expect(extractorFromEnv({ FOLLOWTHROUGH_EXTRACTOR: 'gpt' })).rejects.toThrow(/FOLLOWTHROUGH_EXTRACTOR/);
  });

  it('fails naming FOLLOWTHROUGH_BEDROCK_TIMEOUT_MS when it is not a number of milliseconds', async () => {
    await expect(
      extractorFromEnv({
        FOLLOWTHROUGH_EXTRACTOR: 'bedrock',
        FOLLOWTHROUGH_BEDROCK_MODEL_ID: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        FOLLOWTHROUGH_BEDROCK_TIMEOUT_MS: '8s',
      }),
    ).rejects.toThrow(/FOLLOWTHROUGH_BEDROCK_TIMEOUT_MS/);
  });

  it('falls back to the rules’ items when the model it built fails', async () => {
    // Prepare
    bedrock.on(ConverseCommand).rejects(new ThrottlingException({ message: 'Too many requests.', $metadata: {} }));
    const extractor = await extractorFromEnv({
      FOLLOWTHROUGH_EXTRACTOR: 'bedrock',
      FOLLOWTHROUGH_BEDROCK_MODEL_ID: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    });
    const notes = await readNotes(await parseEmail(fixtureBytes('demo-one-on-one.eml')));
    const options = { inboxAddresses: ['notes@followthrough.example'] };

    // Act
    const extraction = await extractor.extract(notes, options);

    // Assess
    expect(extraction).toEqual(await rulesExtractor.extract(notes, options));
    expect(bedrock.commandCalls(ConverseCommand)[0]?.args[0].input.modelId).toBe(
      'anthropic.claude-3-5-haiku-20241022-v1:0',
    );
  });
});
