import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured logger for every function (the service name comes from POWERTOOLS_SERVICE_NAME, set by the CDK
 * construct). What we log is ids, outcomes and counts: never a body, a subject, a name or an address, because
 * managers forward customer names and deal sizes and logs are kept longer and read more widely than the table.
 */
export const logger = new Logger({ serviceName: 'followthrough' });

/** An error as a log field: its class and message, never the input that caused it. */
export function errorFields(error: unknown): { errorName: string; errorMessage: string } {
  return error instanceof Error
    ? { errorName: error.name, errorMessage: error.message }
    : { errorName: typeof error, errorMessage: String(error) };
}
