import { z } from 'zod';

/** Environment variable names, shared with infra/ so that the Lambdas and the CDK app never disagree. */
export const ENV = {
  tableName: 'FOLLOWTHROUGH_TABLE',
  inboxAddress: 'FOLLOWTHROUGH_INBOX',
  fromAddress: 'FOLLOWTHROUGH_FROM',
  wrapupDelayMinutes: 'FOLLOWTHROUGH_WRAPUP_DELAY_MINUTES',
  baseUrl: 'FOLLOWTHROUGH_BASE_URL',
  linkKeys: 'FOLLOWTHROUGH_LINK_KEYS',
} as const;

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
  baseUrl: z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, '')),
  // "id:secret,id:secret": the first signs new links, every one verifies (key rotation). Read as a secret.
  linkKeys: z.string().min(1, 'needs at least one key id:secret'),
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
