import { describe, expect, it } from 'vitest';
import { parseHttpApiEvent } from '../../../functions/handlers/http';
import { fixtureEvent } from '../../support/aws-world';

describe('parseHttpApiEvent', () => {
  it('reads the parts of an HTTP API request the functions use', () => {
    const request = parseHttpApiEvent(fixtureEvent('http-api-action-link.json'));

    expect(request.rawPath).toMatch(/^\/a\//);
    expect(request.requestContext.http.method).toBe('GET');
    expect(typeof request.requestContext.requestId).toBe('string');
    expect(request.isBase64Encoded).toBe(false);
  });

  it('refuses an event that is not an HTTP API request, naming what is missing', () => {
    expect(() => parseHttpApiEvent(fixtureEvent('ses-receipt.json'))).toThrow(/expected string, received undefined/);
  });
});
