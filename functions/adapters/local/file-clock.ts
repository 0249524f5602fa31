import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FollowthroughError } from '../../domain/errors';
import type { Clock } from '../../ports/clock';

/**
 * The local stack's clock, kept in the data dir so that every CLI command sees the same time. It starts at the
 * wall-clock time and moves only when told (`tick`, `--now`), so the demo and tests can fast-forward a day.
 * A data dir whose clock was never saved may be set to any time; after that, time only moves forward.
 */
export class FileClock implements Clock {
  private current: Date;
  private saved: boolean;

  constructor(
    private readonly path: string,
    wallClock: () => Date = () => new Date(),
  ) {
    this.saved = existsSync(path);
    this.current = this.saved ? new Date(JSON.parse(readFileSync(path, 'utf8')).now) : wallClock();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date): void {
    if (Number.isNaN(to.getTime())) {
      throw new FollowthroughError('Not a time: give an ISO time such as 2026-11-12T18:00:00Z.', { expose: true });
    }
    if (this.saved && to.getTime() < this.current.getTime()) {
      throw new FollowthroughError(
        `The clock is at ${this.current.toISOString()} and only moves forward (asked for ${to.toISOString()}).`,
        { expose: true },
      );
    }
    this.current = new Date(to);
    this.save();
  }

  save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, `${JSON.stringify({ now: this.current.toISOString() })}\n`);
    this.saved = true;
  }
}
