import { describe, expect, it } from 'vitest';
import { parseActionPath } from '../../../../functions/domain/links/action-path';

describe('parseActionPath', () => {
  it('reads the token of a link', () => {
    expect(parseActionPath('/a/eyJr.sig')).toEqual({ token: 'eyJr.sig', undo: false });
  });

  it('reads the token of an Undo address', () => {
    expect(parseActionPath('/a/eyJr.sig/undo')).toEqual({ token: 'eyJr.sig', undo: true });
  });

  it('decodes a percent-escaped token', () => {
    expect(parseActionPath('/a/ab%2Ecd')).toEqual({ token: 'ab.cd', undo: false });
  });

  it('calls a token whose escaping is broken damaged', () => {
    expect(parseActionPath('/a/%E0%A4%A')).toBe('damaged');
  });

  it.each(['/', '/a/', '/a/x/y', '/a/x/undo/more', '/b/x'])('is not an action link: %s', (path) => {
    expect(parseActionPath(path)).toBeNull();
  });
});
