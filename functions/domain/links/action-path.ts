/**
 * Where an action link points: `/a/<token>`, and `/a/<token>/undo` for the result page's Undo. Read from the raw
 * path, never through `new URL(path, base)`, which would resolve `..` segments and read `//x` as a host.
 */
export type ActionPath = { token: string; undo: boolean } | 'damaged' | null;

/** The token and whether it is the Undo address; 'damaged' when the token does not decode; null for another path. */
export function parseActionPath(path: string): ActionPath {
  const match = /^\/a\/([^/]+)(\/undo)?$/.exec(path);
  if (match?.[1] === undefined) return null;
  const token = decodePathSegment(match[1]);
  return token === null ? 'damaged' : { token, undo: match[2] !== undefined };
}

/** A percent-decoded path segment, or null when its escaping is broken. */
export function decodePathSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}
