import en from 'zod/v4/locales/en.js';

/**
 * zod/mini (the Lambdas' zod: the full one is ≈ 450 KB of bundle) loads no locale, so every issue it reports reads
 * "Invalid input". Parses whose messages a person reads (the webhook's 400 answers, configuration errors, a refused
 * event in the logs) pass these: the full zod's own English messages, word for word, for ≈ 4 KB.
 */
export const englishMessages = { error: en().localeError } as const;
