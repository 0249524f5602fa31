/**
 * One error hierarchy. `expose` says whether the message may be shown to the person who sent the input
 * (their own mistake, a 4xx) or only logged (our fault, shown as a generic failure).
 */
export class FollowthroughError extends Error {
  readonly expose: boolean;
  constructor(message: string, options: { cause?: unknown; expose?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.expose = options.expose ?? false;
  }
}

/** The input is not something we can read: not an email, no notes in it. Shown to the sender. */
export class InvalidInputError extends FollowthroughError {
  /** Which part of the input is at fault ("From", "body", "items[2].due"). */
  readonly field: string;
  constructor(field: string, message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, expose: true });
    this.field = field;
  }
}

export class NotFoundError extends FollowthroughError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, expose: true });
  }
}
