import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileClock } from '../../../functions/adapters/local/file-clock';
import {
  FileScheduler,
  type LocalOnceSchedule,
  type LocalSchedule,
  type LocalWeeklySchedule,
} from '../../../functions/adapters/local/file-scheduler';
import type { ScheduledJob, WeeklyScheduleRequest } from '../../../functions/ports/scheduler';

const job = (meetingId: string): ScheduledJob => ({ kind: 'wrapup', meetingId });

const jobName = (j: ScheduledJob): string => (j.kind === 'wrapup' ? j.meetingId : j.kind);

const onceSchedules = (schedules: LocalSchedule[]): LocalOnceSchedule[] =>
  schedules.filter((s): s is LocalOnceSchedule => 'at' in s);

const weeklySchedules = (schedules: LocalSchedule[]): LocalWeeklySchedule[] =>
  schedules.filter((s): s is LocalWeeklySchedule => 'weekly' in s);

/** Priya's weekly digest, Mondays at 08:00 in New York. */
const priyasWeekly = (overrides: Partial<WeeklyScheduleRequest> = {}): WeeklyScheduleRequest => ({
  name: 'weekly-priya',
  day: 'MON',
  time: '08:00',
  timeZone: 'America/New_York',
  job: { kind: 'weekly', person: 'priya.raman@northwind.example' },
  ...overrides,
});

describe('FileScheduler', () => {
  let dir: string;
  let now: Date;
  let scheduler: FileScheduler;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'followthrough-scheduler-'));
    // Wednesday 2026-11-18, 09:00 in New York.
    now = new Date('2026-11-18T14:00:00Z');
    scheduler = new FileScheduler(join(dir, 'schedules.json'), { now: () => now });
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

    expect(onceSchedules(scheduler.list()).map((s) => s.at)).toEqual(['2026-11-17T22:13:00Z']);
  });

  it('runs only what is due, oldest first, and marks it done', async () => {
    await scheduler.scheduleOnce({ name: 'late', at: '2026-11-18T10:00:00Z', job: job('late') });
    await scheduler.scheduleOnce({ name: 'second', at: '2026-11-17T23:00:00Z', job: job('second') });
    await scheduler.scheduleOnce({ name: 'first', at: '2026-11-17T22:00:00Z', job: job('first') });
    const ran: string[] = [];

    await scheduler.runDue(new Date('2026-11-18T00:00:00Z'), async (j) => {
      ran.push(jobName(j));
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

  it('creates a one-time schedule on reschedule when none of that name exists', async () => {
    const outcome = await scheduler.reschedule({ name: 'digest-a', at: '2026-11-24T13:00:00Z', job: job('a') });

    expect(outcome).toBe('created');
    expect(scheduler.list()).toEqual([
      { name: 'digest-a', at: '2026-11-24T13:00:00Z', job: job('a'), state: 'pending', attempts: 0 },
    ]);
  });

  it('moves a pending schedule to the new time and job', async () => {
    await scheduler.scheduleOnce({ name: 'digest-a', at: '2026-11-24T13:00:00Z', job: job('a') });

    const outcome = await scheduler.reschedule({ name: 'digest-a', at: '2026-12-08T13:00:00Z', job: job('b') });

    expect(outcome).toBe('moved');
    expect(scheduler.list()).toEqual([
      { name: 'digest-a', at: '2026-12-08T13:00:00Z', job: job('b'), state: 'pending', attempts: 0 },
    ]);
  });

  it('leaves a pending schedule unchanged when asked for the same time and job', async () => {
    await scheduler.scheduleOnce({ name: 'digest-a', at: '2026-11-24T13:00:00Z', job: job('a') });

    const outcome = await scheduler.reschedule({ name: 'digest-a', at: '2026-11-24T13:00:00.000Z', job: job('a') });

    expect(outcome).toBe('unchanged');
    expect(onceSchedules(scheduler.list()).map((s) => s.at)).toEqual(['2026-11-24T13:00:00Z']);
  });

  it('arms a schedule that has fired again, with its attempts back at 0', async () => {
    await scheduler.scheduleOnce({ name: 'digest-a', at: '2026-11-17T13:00:00Z', job: job('a') });
    await scheduler.runDue(now, async () => undefined);

    const outcome = await scheduler.reschedule({ name: 'digest-a', at: '2026-11-17T13:00:00Z', job: job('a') });

    expect(outcome).toBe('moved');
    expect(scheduler.list()).toEqual([
      { name: 'digest-a', at: '2026-11-17T13:00:00Z', job: job('a'), state: 'pending', attempts: 0 },
    ]);
  });

  it('arms a schedule that gave up, without its last error', async () => {
    await scheduler.scheduleOnce({ name: 'digest-a', at: '2026-11-17T13:00:00Z', job: job('a') });
    for (let run = 0; run < 3; run += 1) {
      await scheduler.runDue(now, async () => Promise.reject(new Error('SES throttled')));
    }

    await scheduler.reschedule({ name: 'digest-a', at: '2026-11-25T13:00:00Z', job: job('a') });

    expect(scheduler.list()).toEqual([
      { name: 'digest-a', at: '2026-11-25T13:00:00Z', job: job('a'), state: 'pending', attempts: 0 },
    ]);
  });

  it('keeps a schedule that its own job moved armed at the new time', async () => {
    await scheduler.scheduleOnce({ name: 'digest-a', at: '2026-11-17T13:00:00Z', job: job('a') });

    const ran = await scheduler.runDue(now, async () => {
      await scheduler.reschedule({ name: 'digest-a', at: '2026-12-01T13:00:00Z', job: job('a') });
    });

    expect(ran).toEqual([expect.objectContaining({ name: 'digest-a', state: 'done' })]);
    expect(scheduler.list()).toEqual([
      { name: 'digest-a', at: '2026-12-01T13:00:00Z', job: job('a'), state: 'pending', attempts: 0 },
    ]);
  });

  it('creates a weekly schedule whose first run is the next slot after now, local time', async () => {
    const outcome = await scheduler.scheduleWeekly(priyasWeekly());

    expect(outcome).toBe('created');
    expect(scheduler.list()).toEqual([
      {
        name: 'weekly-priya',
        weekly: { day: 'MON', time: '08:00', timeZone: 'America/New_York' },
        job: priyasWeekly().job,
        nextAt: '2026-11-23T13:00:00.000Z',
        state: 'pending',
        attempts: 0,
      },
    ]);
  });

  it('leaves a weekly schedule unchanged when asked for the same slot and job', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    now = new Date('2026-11-24T14:00:00Z');

    const outcome = await scheduler.scheduleWeekly(priyasWeekly());

    expect(outcome).toBe('unchanged');
    expect(weeklySchedules(scheduler.list()).map((s) => s.nextAt)).toEqual(['2026-11-23T13:00:00.000Z']);
  });

  it('moves a weekly schedule to a new slot', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());

    const outcome = await scheduler.scheduleWeekly(
      priyasWeekly({ day: 'THU', time: '17:30', timeZone: 'Europe/London' }),
    );

    expect(outcome).toBe('moved');
    expect(scheduler.list()).toEqual([
      expect.objectContaining({
        weekly: { day: 'THU', time: '17:30', timeZone: 'Europe/London' },
        nextAt: '2026-11-19T17:30:00.000Z',
      }),
    ]);
  });

  it('refuses a weekly schedule in a zone Intl does not know, and stores nothing', async () => {
    const scheduling = scheduler.scheduleWeekly(priyasWeekly({ timeZone: '-05:00' }));

    await expect(scheduling).rejects.toThrow(/time zone/);
    expect(scheduler.list()).toEqual([]);
  });

  it('does not run a weekly schedule before its slot', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    const ran: string[] = [];

    await scheduler.runDue(new Date('2026-11-23T12:59:59Z'), async (j) => {
      ran.push(jobName(j));
    });

    expect(ran).toEqual([]);
  });

  it('runs a weekly schedule at its slot and moves it to the next week', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    const ran: string[] = [];

    await scheduler.runDue(new Date('2026-11-23T13:00:00Z'), async (j) => {
      ran.push(jobName(j));
    });

    expect(ran).toEqual(['weekly']);
    expect(scheduler.list()).toEqual([
      expect.objectContaining({
        state: 'done',
        attempts: 1,
        firedAt: '2026-11-23T13:00:00.000Z',
        nextAt: '2026-11-30T13:00:00.000Z',
      }),
    ]);
  });

  it('runs a weekly schedule that missed three slots once, then waits for the first slot after now', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    const ran: string[] = [];
    const late = new Date('2026-12-10T09:00:00Z');

    await scheduler.runDue(late, async (j) => {
      ran.push(jobName(j));
    });
    await scheduler.runDue(late, async (j) => {
      ran.push(jobName(j));
    });

    expect(ran).toEqual(['weekly']);
    expect(weeklySchedules(scheduler.list()).map((s) => s.nextAt)).toEqual(['2026-12-14T13:00:00.000Z']);
  });

  it('keeps a weekly schedule at 08:00 local across the change from daylight saving time', async () => {
    now = new Date('2026-10-20T14:00:00Z');
    await scheduler.scheduleWeekly(priyasWeekly());
    const summerSlot = weeklySchedules(scheduler.list()).map((s) => s.nextAt);

    // New York leaves daylight saving time on Sunday 2026-11-01.
    await scheduler.runDue(new Date('2026-10-26T12:00:00Z'), async () => undefined);

    expect(summerSlot).toEqual(['2026-10-26T12:00:00.000Z']);
    expect(weeklySchedules(scheduler.list()).map((s) => s.nextAt)).toEqual(['2026-11-02T13:00:00.000Z']);
  });

  it('retries a failing weekly run at the same slot, then skips the slot after three attempts', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    const fail = async () => Promise.reject(new Error('SES throttled'));
    const at = new Date('2026-11-23T13:05:00Z');

    await scheduler.runDue(at, fail);
    await scheduler.runDue(at, fail);
    const retrying = scheduler.list()[0];
    await scheduler.runDue(at, fail);

    expect(retrying).toMatchObject({ state: 'pending', attempts: 2, nextAt: '2026-11-23T13:00:00.000Z' });
    expect(scheduler.list()[0]).toMatchObject({
      state: 'failed',
      attempts: 3,
      lastError: 'SES throttled',
      nextAt: '2026-11-30T13:00:00.000Z',
    });
  });

  it('starts the next weekly slot afresh after one that gave up', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    const at = new Date('2026-11-23T13:05:00Z');
    for (let run = 0; run < 3; run += 1) {
      await scheduler.runDue(at, async () => Promise.reject(new Error('SES throttled')));
    }

    await scheduler.runDue(new Date('2026-11-30T13:00:00Z'), async () => Promise.reject(new Error('SES down')));

    const [weekly] = scheduler.list();
    expect(weekly).toMatchObject({ state: 'pending', attempts: 1, lastError: 'SES down' });
  });

  it('forgets the last slot’s error once the next slot runs', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    for (let run = 0; run < 3; run += 1) {
      await scheduler.runDue(new Date('2026-11-23T13:05:00Z'), async () => Promise.reject(new Error('SES throttled')));
    }

    const [ran] = await scheduler.runDue(new Date('2026-11-30T13:00:00Z'), async () => undefined);

    expect(ran).not.toHaveProperty('lastError');
    expect(scheduler.list()[0]).not.toHaveProperty('lastError');
  });

  it('runs one-time and weekly schedules together, earliest first', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    await scheduler.scheduleOnce({ name: 'wrapup-b', at: '2026-11-23T14:00:00Z', job: job('b') });
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });
    const ran: string[] = [];

    await scheduler.runDue(new Date('2026-11-23T15:00:00Z'), async (j) => {
      ran.push(jobName(j));
    });

    expect(ran).toEqual(['a', 'weekly', 'b']);
  });

  it('cancels a weekly schedule', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());

    await scheduler.cancel('weekly-priya');

    expect(scheduler.list()).toEqual([]);
  });

  it('keeps one record a line, which a new FileScheduler reads back as the list', async () => {
    await scheduler.scheduleWeekly(priyasWeekly());
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });

    const lines = readFileSync(join(dir, 'schedules.json'), 'utf8').trimEnd().split('\n');

    expect(lines.map((line) => JSON.parse(line))).toEqual(scheduler.list().map((schedule) => ({ put: schedule })));
    expect(new FileScheduler(join(dir, 'schedules.json')).list()).toEqual(scheduler.list());
  });

  it('sees the schedules another process added, moved and cancelled in the same file', async () => {
    const other = new FileScheduler(join(dir, 'schedules.json'), { now: () => now });
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });
    await scheduler.scheduleOnce({ name: 'wrapup-b', at: '2026-11-23T12:00:00Z', job: job('b') });

    await other.reschedule({ name: 'wrapup-a', at: '2026-11-30T12:00:00Z', job: job('a') });
    await other.cancel('wrapup-b');
    await other.scheduleOnce({ name: 'wrapup-c', at: '2026-11-23T12:00:00Z', job: job('c') });

    expect(onceSchedules(scheduler.list()).map((s) => [s.name, s.at])).toEqual([
      ['wrapup-a', '2026-11-30T12:00:00Z'],
      ['wrapup-c', '2026-11-23T12:00:00Z'],
    ]);
  });

  it('marks done what another process ran', async () => {
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-17T12:00:00Z', job: job('a') });
    scheduler.list();

    await new FileScheduler(join(dir, 'schedules.json')).runDue(now, async () => undefined);

    expect(scheduler.list()).toEqual([expect.objectContaining({ name: 'wrapup-a', state: 'done' })]);
  });

  it('keeps the file near one line per schedule however often the schedules move', async () => {
    for (let week = 0; week < 500; week += 1) {
      await scheduler.reschedule({
        name: 'digest-a',
        at: new Date(Date.UTC(2027, 0, 4 + 7 * week)).toISOString(),
        job: job('a'),
      });
    }
    await scheduler.scheduleOnce({ name: 'wrapup-b', at: '2026-11-23T12:00:00Z', job: job('b') });

    const lines = readFileSync(join(dir, 'schedules.json'), 'utf8').trimEnd().split('\n');

    expect(lines.length).toBeLessThan(70);
    expect(new FileScheduler(join(dir, 'schedules.json')).list()).toEqual([
      expect.objectContaining({ name: 'digest-a', at: new Date(Date.UTC(2027, 0, 4 + 7 * 499)).toISOString() }),
      expect.objectContaining({ name: 'wrapup-b' }),
    ]);
  });

  it('reads a file of the earlier format, one JSON array, and rewrites it one record a line', async () => {
    const earlier = [{ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a'), state: 'pending', attempts: 0 }];
    writeFileSync(join(dir, 'schedules.json'), `${JSON.stringify(earlier, null, 2)}\n`);

    expect(scheduler.list()).toEqual(earlier);
    expect(readFileSync(join(dir, 'schedules.json'), 'utf8')).toBe(`${JSON.stringify({ put: earlier[0] })}\n`);
  });

  it('refuses to schedule on a file that is not a schedules file', async () => {
    writeFileSync(join(dir, 'schedules.json'), '{ not json');

    const scheduling = scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });

    await expect(scheduling).rejects.toThrow(/unreadable at line 1/);
  });

  it('refuses a line that is JSON but not a schedule record', async () => {
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });
    appendFileSync(join(dir, 'schedules.json'), '{"put":{"name":"wrapup-b"}}\n');

    expect(() => scheduler.list()).toThrow(/unreadable at line 2/);
  });

  it('drops a last record cut short by a crash and keeps the ones before it', async () => {
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });
    appendFileSync(join(dir, 'schedules.json'), '{"put":{"name":"wrapup-b","at":"2026-');
    const restarted = new FileScheduler(join(dir, 'schedules.json'));

    await restarted.scheduleOnce({ name: 'wrapup-c', at: '2026-11-23T12:00:00Z', job: job('c') });

    expect(new FileScheduler(join(dir, 'schedules.json')).list().map((s) => s.name)).toEqual(['wrapup-a', 'wrapup-c']);
  });

  it('starts afresh when the file is removed', async () => {
    await scheduler.scheduleOnce({ name: 'wrapup-a', at: '2026-11-23T12:00:00Z', job: job('a') });

    rmSync(join(dir, 'schedules.json'));

    expect(scheduler.list()).toEqual([]);
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
