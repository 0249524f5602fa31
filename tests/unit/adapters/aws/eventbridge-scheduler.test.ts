import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  EventBridgeScheduler,
  SCHEDULE_ARN_PLACEHOLDER,
  SCHEDULED_TIME_PLACEHOLDER,
  targetInput,
} from '../../../../functions/adapters/aws/eventbridge-scheduler';
import type { ScheduleRequest, WeeklyScheduleRequest } from '../../../../functions/ports/scheduler';

const groupName = 'followthrough';
const targetArn = 'arn:aws:lambda:eu-west-1:123456789012:function:followthrough-send';
const roleArn = 'arn:aws:iam::123456789012:role/followthrough-scheduler';
const deadLetterArn = 'arn:aws:sqs:eu-west-1:123456789012:followthrough-schedules-dlq';

const wrapup: ScheduleRequest = {
  name: 'wrapup-m0123456789abcdef0123',
  at: '2026-11-12T21:30:00.000Z',
  job: { kind: 'wrapup', meetingId: 'mtg_01JCZOEMARCUS1112' },
};

const weekly: WeeklyScheduleRequest = {
  name: 'weekly-p0123456789abcdef',
  day: 'MON',
  time: '08:00',
  timeZone: 'Europe/Copenhagen',
  job: { kind: 'weekly', person: 'zoe.ostergaard@acme.example' },
};

const target = {
  Arn: targetArn,
  RoleArn: roleArn,
  DeadLetterConfig: { Arn: deadLetterArn },
  RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21600 },
};

const wrapupSchedule: CreateScheduleCommandInput = {
  Name: 'wrapup-m0123456789abcdef0123',
  GroupName: groupName,
  ScheduleExpression: 'at(2026-11-12T21:30:00)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  State: 'ENABLED',
  Target: { ...target, Input: targetInput(wrapup.job) },
};

const weeklySchedule: CreateScheduleCommandInput = {
  Name: 'weekly-p0123456789abcdef',
  GroupName: groupName,
  ScheduleExpression: 'cron(0 8 ? * MON *)',
  ScheduleExpressionTimezone: 'Europe/Copenhagen',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'NONE',
  State: 'ENABLED',
  Target: { ...target, Input: targetInput(weekly.job) },
};

/** What GetSchedule returns for a schedule created from `input`. */
function stored(input: CreateScheduleCommandInput): GetScheduleCommandOutput {
  const { ClientToken: _token, ...fields } = input;
  return {
    ...fields,
    Arn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/${groupName}/${input.Name}`,
    $metadata: {},
  };
}

// Scheduler's exceptions carry the service's message twice: as `message` (Error's) and as the modelled `Message`.
const notFound = () =>
  new ResourceNotFoundException({ message: 'Schedule not found.', Message: 'Schedule not found.', $metadata: {} });
const conflict = () =>
  new ConflictException({ message: 'Schedule already exists.', Message: 'Schedule already exists.', $metadata: {} });
const throttled = () => new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} });

function mockedScheduler(): { scheduler: EventBridgeScheduler; aws: AwsClientStub<SchedulerClient> } {
  const client = new SchedulerClient({ region: 'eu-west-1' });
  const aws = mockClient(client);
  aws.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:created', $metadata: {} });
  aws.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:updated', $metadata: {} });
  aws.on(DeleteScheduleCommand).resolves({ $metadata: {} });
  aws.on(GetScheduleCommand).rejects(notFound());
  return { scheduler: new EventBridgeScheduler({ client, groupName, targetArn, roleArn, deadLetterArn }), aws };
}

const inputs = <T extends object>(calls: { args: [{ input: T }] }[]): T[] => calls.map((call) => call.args[0].input);

describe('targetInput', () => {
  it('carries the job and the schedule ARN and scheduled time placeholders Scheduler fills in', () => {
    // Act
    const input = JSON.parse(
      targetInput({ kind: 'digest', seriesId: 's1', recipient: 'z@acme.example', meetingDate: '2026-11-19' }),
    );

    // Assess
    expect(input).toEqual({
      schedule: '<aws.scheduler.schedule-arn>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      job: { kind: 'digest', seriesId: 's1', recipient: 'z@acme.example', meetingDate: '2026-11-19' },
    });
    expect([SCHEDULE_ARN_PLACEHOLDER, SCHEDULED_TIME_PLACEHOLDER]).toEqual([input.schedule, input.scheduledTime]);
  });

  it('reads the same whatever the order of the job’s keys', () => {
    // Act
    const one = targetInput({ kind: 'wrapup', meetingId: 'mtg_1' });
    const other = targetInput({ meetingId: 'mtg_1', kind: 'wrapup' });

    // Assess
    expect(one).toBe(other);
  });
});

describe('EventBridgeScheduler.scheduleOnce', () => {
  it('creates a one-time UTC schedule that deletes itself after it runs, with the target, DLQ and retry policy', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    const result = await scheduler.scheduleOnce(wrapup);

    // Assess
    expect(result).toBe('created');
    expect(inputs(aws.commandCalls(CreateScheduleCommand))).toEqual([wrapupSchedule]);
  });

  it('hands the target the job with the placeholders as its Input', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    await scheduler.scheduleOnce(wrapup);

    // Assess
    const input = aws.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Target?.Input;
    expect(JSON.parse(input ?? 'null')).toEqual({
      schedule: '<aws.scheduler.schedule-arn>',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      job: { kind: 'wrapup', meetingId: 'mtg_01JCZOEMARCUS1112' },
    });
  });

  it('writes the at() expression to the second, without milliseconds or zone', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    await scheduler.scheduleOnce({ ...wrapup, at: '2026-11-12T22:30:45.678+01:00' });

    // Assess
    const expression = aws.commandCalls(CreateScheduleCommand)[0]?.args[0].input.ScheduleExpression;
    expect(expression).toBe('at(2026-11-12T21:30:45)');
  });

  it('reports a schedule of that name that exists already, leaving it as it is', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(CreateScheduleCommand).rejects(conflict());

    // Act
    const result = await scheduler.scheduleOnce(wrapup);

    // Assess
    expect(result).toBe('exists');
    expect(aws.commandCalls(UpdateScheduleCommand)).toEqual([]);
  });

  it('lets a throttling error surface', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(CreateScheduleCommand).rejects(throttled());

    // Act
    const scheduling = scheduler.scheduleOnce(wrapup);

    // Assess
    await expect(scheduling).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('refuses a name Scheduler would reject, before calling it', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    const scheduling = scheduler.scheduleOnce({ ...wrapup, name: 'wrapup/m0123' });

    // Assess
    await expect(scheduling).rejects.toThrow(/invalid schedule name "wrapup\/m0123"/);
    expect(aws.calls()).toEqual([]);
  });

  it('refuses a name longer than 64 characters', async () => {
    // Prepare
    const { scheduler } = mockedScheduler();

    // Act
    const scheduling = scheduler.scheduleOnce({ ...wrapup, name: 'x'.repeat(65) });

    // Assess
    await expect(scheduling).rejects.toThrow(/invalid schedule name/);
  });

  it('accepts the longest of our names, a digest schedule', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    const name = 'digest-s0123456789abcdef0123-p0123456789abcdef';

    // Act
    await scheduler.scheduleOnce({ ...wrapup, name });

    // Assess
    expect(aws.commandCalls(CreateScheduleCommand)[0]?.args[0].input.Name).toBe(name);
  });

  it('refuses a time that is not an instant', async () => {
    // Prepare
    const { scheduler } = mockedScheduler();

    // Act
    const scheduling = scheduler.scheduleOnce({ ...wrapup, at: 'next Thursday' });

    // Assess
    await expect(scheduling).rejects.toThrow(/invalid schedule time/);
  });
});

describe('EventBridgeScheduler.reschedule', () => {
  it('creates the schedule when none of that name exists, as after a one-time schedule fired', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    const result = await scheduler.reschedule(wrapup);

    // Assess
    expect(result).toBe('created');
    expect(inputs(aws.commandCalls(GetScheduleCommand))).toEqual([{ Name: wrapup.name, GroupName: groupName }]);
    expect(inputs(aws.commandCalls(CreateScheduleCommand))).toEqual([wrapupSchedule]);
  });

  it('leaves a schedule with the same time and job unchanged', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).resolves(stored(wrapupSchedule));

    // Act
    const result = await scheduler.reschedule(wrapup);

    // Assess
    expect(result).toBe('unchanged');
    expect(aws.commandCalls(CreateScheduleCommand)).toEqual([]);
    expect(aws.commandCalls(UpdateScheduleCommand)).toEqual([]);
  });

  it('moves a schedule to the new time with the full definition, since UpdateSchedule replaces every field', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).resolves(stored(wrapupSchedule));

    // Act
    const result = await scheduler.reschedule({ ...wrapup, at: '2026-11-13T07:00:00.000Z' });

    // Assess
    expect(result).toBe('moved');
    expect(inputs(aws.commandCalls(UpdateScheduleCommand))).toEqual([
      { ...wrapupSchedule, ScheduleExpression: 'at(2026-11-13T07:00:00)' },
    ]);
  });

  it('moves a schedule whose job changed', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).resolves(stored(wrapupSchedule));
    const job = { kind: 'wrapup', meetingId: 'mtg_01JCZOEMARCUS1119' } as const;

    // Act
    const result = await scheduler.reschedule({ ...wrapup, job });

    // Assess
    expect(result).toBe('moved');
    const input = aws.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.Target?.Input;
    expect(JSON.parse(input ?? 'null').job).toEqual(job);
  });

  it('updates a schedule whose target no longer matches, such as one left pointing at an old dead-letter queue', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    const old = {
      ...wrapupSchedule,
      Target: { ...target, DeadLetterConfig: { Arn: 'arn:old' }, Input: targetInput(wrapup.job) },
    };
    aws.on(GetScheduleCommand).resolves(stored(old));

    // Act
    const result = await scheduler.reschedule(wrapup);

    // Assess
    expect(result).toBe('moved');
    expect(inputs(aws.commandCalls(UpdateScheduleCommand))).toEqual([wrapupSchedule]);
  });

  it('updates the schedule another caller created between the read and the create', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(CreateScheduleCommand).rejects(conflict());

    // Act
    const result = await scheduler.reschedule(wrapup);

    // Assess
    expect(result).toBe('moved');
    expect(inputs(aws.commandCalls(UpdateScheduleCommand))).toEqual([wrapupSchedule]);
  });

  it('creates the schedule again when it fired and deleted itself between the read and the update', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).resolves(stored(wrapupSchedule));
    aws.on(UpdateScheduleCommand).rejects(notFound());

    // Act
    const result = await scheduler.reschedule({ ...wrapup, at: '2026-11-13T07:00:00.000Z' });

    // Assess
    expect(result).toBe('created');
    expect(inputs(aws.commandCalls(CreateScheduleCommand))).toEqual([
      { ...wrapupSchedule, ScheduleExpression: 'at(2026-11-13T07:00:00)' },
    ]);
  });

  it('lets a throttled read surface', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).rejects(throttled());

    // Act
    const rescheduling = scheduler.reschedule(wrapup);

    // Assess
    await expect(rescheduling).rejects.toBeInstanceOf(ThrottlingException);
    expect(aws.commandCalls(CreateScheduleCommand)).toEqual([]);
  });
});

describe('EventBridgeScheduler.scheduleWeekly', () => {
  it('creates a cron schedule in the person’s time zone that stays after it runs', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    const result = await scheduler.scheduleWeekly(weekly);

    // Assess
    expect(result).toBe('created');
    expect(inputs(aws.commandCalls(CreateScheduleCommand))).toEqual([weeklySchedule]);
  });

  it('writes minutes and hours without leading zeros and the day by its cron name', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    await scheduler.scheduleWeekly({ ...weekly, day: 'FRI', time: '17:05' });

    // Assess
    const expression = aws.commandCalls(CreateScheduleCommand)[0]?.args[0].input.ScheduleExpression;
    expect(expression).toBe('cron(5 17 ? * FRI *)');
  });

  it('leaves a weekly schedule with the same day, time, zone and job unchanged', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).resolves(stored(weeklySchedule));

    // Act
    const result = await scheduler.scheduleWeekly(weekly);

    // Assess
    expect(result).toBe('unchanged');
    expect(aws.commandCalls(UpdateScheduleCommand)).toEqual([]);
  });

  it('moves a weekly schedule to another time zone', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(GetScheduleCommand).resolves(stored(weeklySchedule));

    // Act
    const result = await scheduler.scheduleWeekly({ ...weekly, timeZone: 'America/New_York' });

    // Assess
    expect(result).toBe('moved');
    expect(inputs(aws.commandCalls(UpdateScheduleCommand))).toEqual([
      { ...weeklySchedule, ScheduleExpressionTimezone: 'America/New_York' },
    ]);
  });

  it('refuses a time that is not HH:MM', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    const scheduling = scheduler.scheduleWeekly({ ...weekly, time: '8am' });

    // Assess
    await expect(scheduling).rejects.toThrow(/invalid weekly time "8am"/);
    expect(aws.commandCalls(CreateScheduleCommand)).toEqual([]);
  });
});

describe('EventBridgeScheduler.cancel', () => {
  it('deletes the schedule of that name in the group', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();

    // Act
    await scheduler.cancel(wrapup.name);

    // Assess
    expect(inputs(aws.commandCalls(DeleteScheduleCommand))).toEqual([{ Name: wrapup.name, GroupName: groupName }]);
  });

  it('succeeds when the schedule is already gone', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(DeleteScheduleCommand).rejects(notFound());

    // Act
    const cancelling = scheduler.cancel(wrapup.name);

    // Assess
    await expect(cancelling).resolves.toBeUndefined();
  });

  it('lets a throttling error surface', async () => {
    // Prepare
    const { scheduler, aws } = mockedScheduler();
    aws.on(DeleteScheduleCommand).rejects(throttled());

    // Act
    const cancelling = scheduler.cancel(wrapup.name);

    // Assess
    await expect(cancelling).rejects.toBeInstanceOf(ThrottlingException);
  });
});
