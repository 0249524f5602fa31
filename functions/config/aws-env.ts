import * as z from 'zod/mini';
import { englishMessages } from '../domain/zod-messages';
import { ENV, parseSenderDomains, SENDER_DOMAINS_HINT } from './env';

/**
 * The settings only the Lambdas have, on top of `ENV` (config/env.ts): where the AWS resources are. The CDK app
 * sets each function's environment from these names, so the two cannot disagree. Secrets are never values here,
 * only the ids of the Secrets Manager secrets that hold them, read once per cold start.
 */
export const AWS_ENV = {
  rawMailBucket: 'FOLLOWTHROUGH_RAW_BUCKET',
  /** Key prefix under which the SES receipt rule's S3 action writes inbound mail (`<prefix><messageId>`). */
  inboundPrefix: 'FOLLOWTHROUGH_INBOUND_PREFIX',
  idempotencyTable: 'FOLLOWTHROUGH_IDEMPOTENCY_TABLE',
  scheduleGroup: 'FOLLOWTHROUGH_SCHEDULE_GROUP',
  /** The scheduled-send function every schedule invokes. */
  scheduleTargetArn: 'FOLLOWTHROUGH_SCHEDULE_TARGET_ARN',
  /** The execution role EventBridge Scheduler assumes to invoke it (the only role our functions may pass). */
  scheduleRoleArn: 'FOLLOWTHROUGH_SCHEDULE_ROLE_ARN',
  scheduleDlqArn: 'FOLLOWTHROUGH_SCHEDULE_DLQ_ARN',
  sesConfigurationSet: 'FOLLOWTHROUGH_SES_CONFIGURATION_SET',
  /** Secrets Manager secret: JSON `{"keyId": "k1", "secret": "…"}`, optionally `"previous": "id:secret,…"`. */
  linkKeysSecret: 'FOLLOWTHROUGH_LINK_KEYS_SECRET',
  /**
   * Secrets Manager secret: the Standard Webhooks signing secret of the notes webhook. Not FOLLOWTHROUGH_WEBHOOK_SECRET,
   * which holds the secret itself on the local stack (config/env.ts).
   */
  webhookSecret: 'FOLLOWTHROUGH_WEBHOOK_SECRET_ID',
  /**
   * The sender domains whose mail the inbox processes (the name ENV gives it, config/env.ts): required on AWS, and
   * named — `*` (any domain) is the local stack's default only, where no SES verdict exists to go on.
   */
  allowedSenderDomains: ENV.allowedSenderDomains,
  /** The SQS queue a weekly slot's job puts its pages on (scheduled-send), one page a message. */
  weeklyPagesQueueUrl: 'FOLLOWTHROUGH_WEEKLY_PAGES_QUEUE_URL',
  /**
   * Mails a second the account may send (SES's maximum send rate; 14 is where production access usually starts):
   * the weekly-pages workers share it, each holding its sends to this divided by their number.
   */
  sesMaxSendRate: 'FOLLOWTHROUGH_SES_MAX_SEND_RATE',
  /** How many weekly-pages workers run at once: the event source mapping's maximum concurrency. */
  weeklyPagesConcurrency: 'FOLLOWTHROUGH_WEEKLY_PAGES_CONCURRENCY',
} as const;

export type AwsSetting = keyof typeof AWS_ENV;

const arn = z.string().check(z.regex(/^arn:aws[\w-]*:/, 'an ARN'));
const name = z.string().check(z.minLength(1));

const schemas = {
  rawMailBucket: name,
  inboundPrefix: z.string().check(z.regex(/^(?!.*\.\.)[\w!.*'()/-]*$/, 'an S3 key prefix')),
  idempotencyTable: name,
  scheduleGroup: name,
  scheduleTargetArn: arn,
  scheduleRoleArn: arn,
  scheduleDlqArn: arn,
  sesConfigurationSet: name,
  linkKeysSecret: name,
  webhookSecret: name,
  allowedSenderDomains: z
    .string(SENDER_DOMAINS_HINT)
    .check(z.refine((text) => parseSenderDomains(text)?.includes('*') === false, `${SENDER_DOMAINS_HINT} (not *)`)),
  weeklyPagesQueueUrl: z.string().check(z.regex(/^https:\/\/sqs\.[\w.-]+\/\d{12}\/[\w-]+$/, 'an SQS queue URL')),
  sesMaxSendRate: z.string().check(z.refine((text) => Number(text) > 0, 'a number of mails a second above 0')),
  weeklyPagesConcurrency: z
    .string()
    .check(z.refine((text) => Number.isInteger(Number(text)) && Number(text) > 0, 'a whole number above 0')),
} satisfies Record<AwsSetting, z.ZodMiniType<string>>;

export type AwsConfig<K extends AwsSetting> = { [P in K]: string };

/**
 * Reads the AWS settings a function needs (each function is given only its own), and throws naming every missing
 * or malformed variable: a misconfigured deploy fails on its first cold start, loudly, not on its first email.
 */
export function loadAwsConfig<K extends AwsSetting>(env: NodeJS.ProcessEnv, keys: readonly K[]): AwsConfig<K> {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  for (const key of keys) {
    const parsed = schemas[key].safeParse(env[AWS_ENV[key]], englishMessages);
    if (parsed.success) out[key] = parsed.data;
    else problems.push(`${AWS_ENV[key]}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return out as AwsConfig<K>;
}

/**
 * Which extractor the ingest functions use. All optional: unset, the rules extract (the default, and enough on their
 * own); the CDK app sets them only on the ingest functions, and only when the deployment names a Bedrock model.
 */
export const EXTRACTOR_ENV = {
  /** `rules` (the default) or `bedrock`. */
  extractor: 'FOLLOWTHROUGH_EXTRACTOR',
  /** A Bedrock model or inference profile id; required when the extractor is `bedrock`. */
  bedrockModelId: 'FOLLOWTHROUGH_BEDROCK_MODEL_ID',
  /** How long the model may take before the rules' items are used instead. */
  bedrockTimeoutMs: 'FOLLOWTHROUGH_BEDROCK_TIMEOUT_MS',
} as const;

export const DEFAULT_BEDROCK_TIMEOUT_MS = 8_000;

export type ExtractorConfig = { kind: 'rules' } | { kind: 'bedrock'; modelId: string; timeoutMs: number };

const extractorSchemas = {
  extractor: z._default(z.enum(['rules', 'bedrock'], 'rules or bedrock'), 'rules'),
  bedrockModelId: z.optional(z.string().check(z.minLength(1))),
  // Under the webhook's 29 s (API Gateway's limit), with time left for the store and the schedules.
  bedrockTimeoutMs: z._default(
    z.coerce.number('a number of milliseconds').check(z.int(), z.minimum(100), z.maximum(20_000)),
    DEFAULT_BEDROCK_TIMEOUT_MS,
  ),
};

/** Reads the extractor settings; throws naming every malformed variable, and the model id when Bedrock lacks one. */
export function loadExtractorConfig(env: NodeJS.ProcessEnv): ExtractorConfig {
  // An empty value is unset, as `-c key=` is in the CDK app.
  const raw = (key: keyof typeof EXTRACTOR_ENV) => {
    const value = env[EXTRACTOR_ENV[key]]?.trim();
    return value === '' ? undefined : value;
  };
  const problems: string[] = [];
  const read = <T>(key: keyof typeof EXTRACTOR_ENV, schema: z.ZodMiniType<T>): T | undefined => {
    const parsed = schema.safeParse(raw(key), englishMessages);
    if (parsed.success) return parsed.data;
    problems.push(`${EXTRACTOR_ENV[key]}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return undefined;
  };
  const kind = read('extractor', extractorSchemas.extractor);
  const modelId = read('bedrockModelId', extractorSchemas.bedrockModelId);
  const timeoutMs = read('bedrockTimeoutMs', extractorSchemas.bedrockTimeoutMs);
  if (kind === 'bedrock' && raw('bedrockModelId') === undefined) {
    problems.push(`${EXTRACTOR_ENV.bedrockModelId}: required when ${EXTRACTOR_ENV.extractor} is bedrock`);
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return kind === 'bedrock' && modelId !== undefined && timeoutMs !== undefined
    ? { kind, modelId, timeoutMs }
    : { kind: 'rules' };
}
