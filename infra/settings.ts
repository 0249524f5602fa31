import type { Node } from 'constructs';
import { z } from 'zod';
import {
  DEFAULT_RETENTION_DAYS,
  LOCAL_DEFAULTS,
  parseSenderDomains,
  SENDER_DOMAINS_HINT,
} from '../functions/config/env';

const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Raw mail is kept a year unless the deployment says otherwise (context `rawMailRetentionDays`). */
export const DEFAULT_RAW_MAIL_RETENTION_DAYS = 365;

/** `provider.model-version:n`, optionally behind an inference profile's geography (`eu.`, `us.`, `global.`). */
const BEDROCK_MODEL_ID = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::[a-z0-9-]+)*$/;

const schema = z
  .object({
    account: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    region: z.string().min(1).optional(),
    domain: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'a mail domain such as followthrough.example'),
    alarmEmail: z.email(),
    inbox: z.email().optional(),
    from: z.email().optional(),
    apiDomain: z.string().min(1).optional(),
    rawMailRetentionDays: z.coerce.number().int().min(1).default(DEFAULT_RAW_MAIL_RETENTION_DAYS),
    // Meetings, items, series and sent-mail records (the table's TTL): see DEFAULT_RETENTION_DAYS for why two years.
    retentionDays: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS),
    // 0 reserves nothing: see the scheduled-send function in the service stack for why that is sometimes needed.
    sendConcurrency: z.coerce.number().int().min(0).default(5),
    // SES's maximum send rate for the account (mails a second): 14 is where production access usually starts. The
    // weekly digests are held to it (FOLLOWTHROUGH_SES_MAX_SEND_RATE); raise it when SES raises the account's.
    sesMaxSendRate: z.coerce.number().positive().default(14),
    wrapupDelayMinutes: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    logLevel: z.enum(logLevels).default('INFO'),
    receiptRuleSetName: z
      .string()
      .regex(/^[\w.-]{1,64}$/)
      .default('followthrough-inbound'),
    // Absent, the rules extract (the default); present, the ingest functions ask this model and fall back to them.
    bedrockModelId: z
      .string()
      .regex(
        BEDROCK_MODEL_ID,
        'a Bedrock model or inference profile id such as anthropic.claude-3-5-haiku-20241022-v1:0',
      )
      .optional(),
    // Whose mail the inbox processes (issue 7, R5): `a.example,b.example` or a list; absent, the deployment's domain.
    allowedSenderDomains: z
      .union([z.string(), z.array(z.string())])
      .transform((value, ctx) => {
        const domains = parseSenderDomains(Array.isArray(value) ? value.join(',') : value);
        if (domains === null || domains.includes('*')) {
          ctx.addIssue({ code: 'custom', message: `${SENDER_DOMAINS_HINT} (not *: on AWS the domains are named)` });
        }
        return domains ?? [];
      })
      .optional(),
  })
  .transform((s) => {
    const inbox = (s.inbox ?? `notes@${s.domain}`).toLowerCase();
    return {
      ...s,
      inbox,
      from: (s.from ?? inbox).toLowerCase(),
      allowedSenderDomains: s.allowedSenderDomains ?? [s.domain.toLowerCase()],
    };
  });

export type Settings = z.infer<typeof schema>;

const keys = [
  'account',
  'region',
  'domain',
  'alarmEmail',
  'inbox',
  'from',
  'apiDomain',
  'rawMailRetentionDays',
  'retentionDays',
  'sendConcurrency',
  'sesMaxSendRate',
  'wrapupDelayMinutes',
  'logLevel',
  'receiptRuleSetName',
  'bedrockModelId',
  'allowedSenderDomains',
] as const satisfies ReadonlyArray<keyof z.input<typeof schema>>;

/**
 * The deployment's settings, from `cdk.json` context or `-c key=value`. Throws naming every bad value, so a typo in
 * a domain or an address stops the synth instead of reaching SES as a rule that never matches.
 */
export function readSettings(node: Node): Settings {
  const raw: Record<string, unknown> = { wrapupDelayMinutes: LOCAL_DEFAULTS.wrapupDelayMinutes };
  for (const key of keys) {
    const value: unknown = node.tryGetContext(key);
    // `-c key=` on the command line arrives as an empty string: treat it as unset.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  }
  return parsed.data;
}
