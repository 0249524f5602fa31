import * as z from 'zod/mini';
import { isWebhookSecret } from '../domain/webhook-signature';
import { englishMessages } from '../domain/zod-messages';

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
  tableName: z.string().check(z.minLength(3)),
  inboxAddress: z.pipe(
    z.email(),
    z.transform((a) => a.toLowerCase()),
  ),
  fromAddress: z.pipe(
    z.email(),
    z.transform((a) => a.toLowerCase()),
  ),
  wrapupDelayMinutes: z.coerce.number().check(z.int(), z.minimum(0), z.maximum(24 * 60)),
  // Where the action links point: the action-link routes of the deployed API, or the local server.
  // Trailing slashes cut in a loop: /\/+$/ re-reads a run of slashes from each one.
  baseUrl: z.pipe(
    z.url({ protocol: /^https?$/ }),
    z.transform((url) => {
      let end = url.length;
      while (url[end - 1] === '/') end--;
      return url.slice(0, end);
    }),
  ),
  // "id:secret,id:secret": the first signs new links, every one verifies (key rotation). Read as a secret.
  linkKeys: z.string().check(z.minLength(1, 'needs at least one key id:secret')),
  webhookSecret: z.optional(
    z
      .string()
      .check(z.trim(), z.refine(isWebhookSecret, 'must be whsec_ followed by the base64 of 24 to 64 random bytes')),
  ),
  // Ten years at most: the bound only catches a value given in the wrong unit (hours, seconds).
  retentionDays: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(3650)), DEFAULT_RETENTION_DAYS),
  allowedSenderDomains: z.optional(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        const domains = parseSenderDomains(text);
        if (domains === null) ctx.issues.push({ code: 'custom', message: `${SENDER_DOMAINS_HINT}, or *`, input: text });
        return domains ?? [];
      }),
    ),
  ),
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
  const parsed = schema.safeParse(raw, englishMessages);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${ENV[i.path[0] as keyof typeof ENV] ?? i.path.join('.')}: ${i.message}`,
    );
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
