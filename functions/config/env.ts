import { z } from 'zod';
import { isWebhookSecret } from '../domain/webhook-signature';

/** Environment variable names, shared with infra/ so that the Lambdas and the CDK app never disagree. */
export const ENV = {
  tableName: 'FOLLOWTHROUGH_TABLE',
  inboxAddress: 'FOLLOWTHROUGH_INBOX',
  fromAddress: 'FOLLOWTHROUGH_FROM',
  wrapupDelayMinutes: 'FOLLOWTHROUGH_WRAPUP_DELAY_MINUTES',
  baseUrl: 'FOLLOWTHROUGH_BASE_URL',
  linkKeys: 'FOLLOWTHROUGH_LINK_KEYS',
  /**
   * The local stack's Standard Webhooks secret (`whsec_` + base64), instead of the one generated into the data dir.
   * On AWS the secret is in Secrets Manager (aws-env.ts names it) and this is not read.
   */
  webhookSecret: 'FOLLOWTHROUGH_WEBHOOK_SECRET',
  /** Days a meeting, its items, its series and the mail about them are kept (the table's TTL, `expiresAt`). */
  retentionDays: 'FOLLOWTHROUGH_RETENTION_DAYS',
  /**
   * Whose mail the inbox processes: `acme.example,acme-sales.example` (subdomains included), or `*` for any domain,
   * the local default. On AWS it is required and must name domains (aws-env.ts reads it there).
   */
  allowedSenderDomains: 'FOLLOWTHROUGH_ALLOWED_SENDER_DOMAINS',
} as const;

const DOMAIN = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/;

/**
 * `acme.example, Acme-Sales.example` → the domains, lower-cased; `*` alone stands for any domain. Null when an
 * entry is not a domain name: a typo must stop the start, not silently drop everyone's mail.
 */
export function parseSenderDomains(text: string): string[] | null {
  const domains = text
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== '');
  if (domains.length === 1 && domains[0] === '*') return domains;
  return domains.length > 0 && domains.every((d) => d.length <= 253 && DOMAIN.test(d)) ? domains : null;
}

export const SENDER_DOMAINS_HINT = 'comma-separated domains such as acme.example,acme-sales.example';

/**
 * Two years: a year-over-year look back at a 1:1 series (last year's commitments at this year's review) still finds
 * its meetings, while notes full of customer names and deal sizes do not sit in the table for ever. Suppressions and
 * people's preferences are not counted in it: they never expire.
 */
export const DEFAULT_RETENTION_DAYS = 730;

const schema = z.object({
  tableName: z.string().min(3),
  inboxAddress: z.email().transform((a) => a.toLowerCase()),
  fromAddress: z.email().transform((a) => a.toLowerCase()),
  wrapupDelayMinutes: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60),
  // Where the action links point: the action-link routes of the deployed API, or the local server.
  // Trailing slashes cut in a loop: /\/+$/ re-reads a run of slashes from each one.
  baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => {
    let end = url.length;
    while (url[end - 1] === '/') end--;
    return url.slice(0, end);
  }),
  // "id:secret,id:secret": the first signs new links, every one verifies (key rotation). Read as a secret.
  linkKeys: z.string().min(1, 'needs at least one key id:secret'),
  webhookSecret: z
    .string()
    .trim()
    .refine(isWebhookSecret, 'must be whsec_ followed by the base64 of 24 to 64 random bytes')
    .optional(),
  // Ten years at most: the bound only catches a value given in the wrong unit (hours, seconds).
  retentionDays: z.coerce.number().int().min(1).max(3650).default(DEFAULT_RETENTION_DAYS),
  allowedSenderDomains: z
    .string()
    .transform((text, ctx) => {
      const domains = parseSenderDomains(text);
      if (domains === null) ctx.addIssue({ code: 'custom', message: `${SENDER_DOMAINS_HINT}, or *` });
      return domains ?? [];
    })
    .optional(),
});

export type Config = z.infer<typeof schema>;

/** Defaults for the embedded local stack; on AWS every value comes from the function's environment. */
export const LOCAL_DEFAULTS: Partial<Record<keyof typeof ENV, string>> & { inboxAddress: string } = {
  tableName: 'followthrough',
  inboxAddress: 'notes@followthrough.example',
  fromAddress: 'notes@followthrough.example',
  // Half an hour gives the author time to send a corrected version of the notes, and still lands the wrap-up
  // the same working day — well inside the seeds' 24 hours.
  wrapupDelayMinutes: '30',
  baseUrl: 'http://127.0.0.1:8787',
  // No linkKeys: the local wiring generates one per data dir, so no secret is ever a constant in the code.
};

/** Reads and validates the configuration once; throws naming every missing or malformed variable. */
export function loadConfig(env: NodeJS.ProcessEnv, defaults: Partial<Record<keyof typeof ENV, string>> = {}): Config {
  const raw = Object.fromEntries(
    Object.entries(ENV).map(([key, name]) => [key, env[name] ?? defaults[key as keyof typeof ENV]]),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${ENV[i.path[0] as keyof typeof ENV] ?? i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
