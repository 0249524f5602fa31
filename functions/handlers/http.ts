/** Shared by the two HTTP API functions: the request's bytes and the shapes of their answers. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import { JSON_HEADERS, PAGE_HEADERS } from '../domain/render/pages';
import { englishMessages } from '../domain/zod-messages';

/**
 * An HTTP API (payload 2.0) request, the parts the two functions read. Not Powertools' APIGatewayProxyEventV2Schema:
 * its schemas import the full zod (≈ 460 KB of bundle, measured), for fields neither function looks at.
 */
const httpApiEventSchema = z.object({
  rawPath: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.optional(z.string()),
  isBase64Encoded: z.boolean(),
  requestContext: z.object({ requestId: z.string(), http: z.object({ method: z.string() }) }),
});

export type HttpApiRequest = z.infer<typeof httpApiEventSchema>;

/** The event API Gateway invoked the function with; throws on anything else (a bare 500: it is not a request). */
export const parseHttpApiEvent = (event: unknown): HttpApiRequest => httpApiEventSchema.parse(event, englishMessages);

export const json = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { ...JSON_HEADERS },
  body: JSON.stringify(body),
});

export const html = (statusCode: number, body: string, headers: Record<string, string> = {}) => ({
  statusCode,
  headers: { ...PAGE_HEADERS, ...headers },
  body,
});

/** The body as sent: API Gateway base64-encodes what it does not take for text. */
export function bodyBytes(event: { body?: string | undefined; isBase64Encoded: boolean }): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

/** HTTP API lower-cases header names; the media type is compared without its parameters. */
export function mediaType(headers: Record<string, string | undefined>): string | undefined {
  return headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
}
