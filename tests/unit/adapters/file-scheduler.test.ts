import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileClock } from '../../../functions/adapters/local/file-clock';
import { FileScheduler } from '../../../functions/adapters/local/file-scheduler';
import type { ScheduledJob } from '../../../functions/ports/scheduler';

const job = (meetingId: string): ScheduledJob => ({ kind: 'wrapup', meetingId });

describe('FileScheduler', () => {
  let dir: string;
  let scheduler: FileScheduler;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-scheduler-'));
    scheduler = new FileScheduler(join(dir, 'schedules.json'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the first schedule of a name and ignores a second request for it', async () => {
    expect(await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-17T22:13:00Z', job: job('a') })).toBe(
      'created',
    );
    expect(await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-18T09:00:00Z', job: job('a') })).toBe(
      'exists',
    );

    expect(scheduler.list().map((s) => s.at)).toEqual(['2026-11-17T22:13:00Z']);
  });

  it('runs only what is due, oldest first, and marks it done', async () => {
    await scheduler.scheduleOnce({ name: 'late', at: '2026-11-18T10:00:00Z', job: job('late') });
    await scheduler.scheduleOnce({ name: 'second', at: '2026-11-17T23:00:00Z', job: job('second') });
    await scheduler.scheduleOnce({ name: 'first', at: '2026-11-17T22:00:00Z', job: job('first') });
    const ran: string[] = [];

    await scheduler.runDue(new Date('2026-11-18T00:00:00Z'), async (j) => {
      ran.push(j.meetingId);
    });

    expect(ran).toEqual(['first', 'second']);
    expect(scheduler.list().map((s) => [s.name, s.state])).toEqual([
      ['late', 'pending'],
      ['second', 'done'],
      ['first', 'done'],
    ]);
  });

  it('retries a failing job on the next runs and gives up after three attempts', async () => {
    await scheduler.scheduleOnce({ name: 'broken', at: '2026-11-17T22:00:00Z', job: job('broken') });
    const fail = async () => Promise.reject(new Error('SES throttled'));
    const at = new Date('2026-11-18T00:00:00Z');

    await scheduler.runDue(at, fail);
    await scheduler.runDue(at, fail);
    expect(scheduler.list()[0]).toMatchObject({ state: 'pending', attempts: 2, lastError: 'SES throttled' });
    await scheduler.runDue(at, fail);

    expect(scheduler.list()[0]).toMatchObject({ state: 'failed', attempts: 3 });
  });
});

describe('FileClock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-clock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts at the wall-clock time on a new data dir and may be set to any time there', () => {
    const clock = new FileClock(join(dir, 'clock.json'), () => new Date('2026-11-25T09:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-11-25T09:00:00.000Z');

    clock.set(new Date('2026-01-01T00:00:00Z'));

    expect(new FileClock(join(dir, 'clock.json')).now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('refuses to move back once saved', () => {
    const clock = new FileClock(join(dir, 'clock.json'));
    clock.set(new Date('2026-11-20T10:00:00Z'));

    expect(() => clock.set(new Date('2026-11-20T09:59:59Z'))).toThrow(/only moves forward/);
  });
});
