import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleOutput,
  ResourceNotFoundException,
  type SchedulerClient,
  type Target,
  UpdateScheduleCommand,
  type UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
import type { ScheduledJob, ScheduleRequest, Scheduler, WeeklyScheduleRequest } from '../../ports/scheduler';

export interface EventBridgeSchedulerOptions {
  client: SchedulerClient;
  groupName: string;
  /** The send Lambda. */
  targetArn: string;
  /** The role Scheduler assumes to invoke the target and to write to the dead-letter queue. */
  roleArn: string;
  /** The SQS queue that receives an invocation Scheduler gave up on. */
  deadLetterArn: string;
}

/**
 * Context attributes: Scheduler replaces them in the target's Input when it invokes the target. The send handler keys
 * its idempotency on the two, because a weekly schedule fires under the same name every week.
 */
export const SCHEDULE_ARN_PLACEHOLDER = '<aws.scheduler.schedule-arn>';
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

/**
 * Scheduler invokes a Lambda asynchronously, so these retries cover only handing the event to Lambda (throttled or
 * failed Invoke calls); the function's own failures are retried by Lambda's asynchronous invocation. Three retries
 * ride out a transient error; a permanent one (a missing function or permission) would not heal with the default 185
 * over 24 hours, and its event belongs in the dead-letter queue. Six hours caps how late a wrap-up or a digest may
 * still arrive and be of use on the day it was meant for.
 */
const retryPolicy = { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 6 * 60 * 60 };

// Scheduler's own rule for schedule names.
const validName = /^[0-9A-Za-z_.-]{1,64}$/;

/** Everything a schedule is made of, apart from its name and group. */
type Definition = Omit<UpdateScheduleInput, 'Name' | 'GroupName' | 'ClientToken'> & { Target: Target };

/** The target's Input: the job, and the schedule and time of this invocation, filled in by Scheduler. */
export function targetInput(job: ScheduledJob): string {
  // The job's keys sorted, so that the same job always reads the same and an unchanged schedule is seen as such.
  const canonicalJob = Object.fromEntries(Object.entries(job).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({
    schedule: SCHEDULE_ARN_PLACEHOLDER,
    scheduledTime: SCHEDULED_TIME_PLACEHOLDER,
    job: canonicalJob,
  });
}

/** The Scheduler port on AWS: one EventBridge Scheduler schedule per request, all in one group. */
export class EventBridgeScheduler implements Scheduler {
  readonly #client: SchedulerClient;
  readonly #groupName: string;
  readonly #target: Omit<Target, 'Input'>;

  constructor(options: EventBridgeSchedulerOptions) {
    this.#client = options.client;
    this.#groupName = options.groupName;
    this.#target = {
      Arn: options.targetArn,
      RoleArn: options.roleArn,
      DeadLetterConfig: { Arn: options.deadLetterArn },
      RetryPolicy: retryPolicy,
    };
  }

  async scheduleOnce(request: ScheduleRequest): Promise<'created' | 'exists'> {
    const name = checkedName(request.name);
    try {
      await this.#create(name, this.#once(request));
      return 'created';
    } catch (error) {
      if (error instanceof ConflictException) return 'exists';
      throw error;
    }
  }

  async reschedule(request: ScheduleRequest): Promise<'created' | 'moved' | 'unchanged'> {
    // A one-time schedule that has fired is gone (ActionAfterCompletion DELETE), so arming it again creates it anew.
    return this.#put(checkedName(request.name), this.#once(request));
  }

  async scheduleWeekly(request: WeeklyScheduleRequest): Promise<'created' | 'moved' | 'unchanged'> {
    return this.#put(checkedName(request.name), {
      ScheduleExpression: weeklyExpression(request),
      // An IANA zone: Scheduler follows its daylight-saving changes, so 08:00 stays 08:00 local all year.
      ScheduleExpressionTimezone: request.timeZone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      // Explicit, since UpdateSchedule resets whatever it is not given.
      ActionAfterCompletion: 'NONE',
      State: 'ENABLED',
      Target: { ...this.#target, Input: targetInput(request.job) },
    });
  }

  async cancel(name: string): Promise<void> {
    try {
      await this.#client.send(new DeleteScheduleCommand({ Name: checkedName(name), GroupName: this.#groupName }));
    } catch (error) {
      // Already gone: cancelled before, or a one-time schedule that fired and deleted itself.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  #once(request: ScheduleRequest): Definition {
    return {
      ScheduleExpression: atExpression(request.at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      // Deleted once it has run, so that spent one-time schedules do not pile up against the account's quota.
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: { ...this.#target, Input: targetInput(request.job) },
    };
  }

  /** Creates the schedule, or brings the one of that name to `definition`. */
  async #put(name: string, definition: Definition): Promise<'created' | 'moved' | 'unchanged'> {
    const existing = await this.#get(name);
    if (existing === undefined) {
      try {
        await this.#create(name, definition);
        return 'created';
      } catch (error) {
        // Created by someone else since the read: ours is the newer wish, so it replaces theirs below.
        if (!(error instanceof ConflictException)) throw error;
      }
    } else if (sameDefinition(existing, definition)) {
      return 'unchanged';
    }
    try {
      // UpdateSchedule replaces every field: anything left out returns to its default, so the full definition goes.
      await this.#client.send(new UpdateScheduleCommand({ Name: name, GroupName: this.#groupName, ...definition }));
      return 'moved';
    } catch (error) {
      // A one-time schedule that fired (and deleted itself) since the read.
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await this.#create(name, definition);
      return 'created';
    }
  }

  async #get(name: string): Promise<GetScheduleOutput | undefined> {
    try {
      return await this.#client.send(new GetScheduleCommand({ Name: name, GroupName: this.#groupName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async #create(name: string, definition: Definition): Promise<void> {
    await this.#client.send(new CreateScheduleCommand({ Name: name, GroupName: this.#groupName, ...definition }));
  }
}

function checkedName(name: string): string {
  if (!validName.test(name)) {
    throw new Error(
      `invalid schedule name ${JSON.stringify(name)}: EventBridge Scheduler takes 1 to 64 letters, digits, '-', '_' or '.'`,
    );
  }
  return name;
}

/** `at(2026-11-12T21:30:00)`: Scheduler reads it in ScheduleExpressionTimezone and takes neither a zone nor millis. */
function atExpression(at: string): string {
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime())) throw new Error(`invalid schedule time ${JSON.stringify(at)}: not an instant`);
  return `at(${instant.toISOString().slice(0, 19)})`;
}

/**
 * `cron(0 8 ? * MON *)`: Scheduler's six-field cron wants '?' in day-of-month when day-of-week is given, and our
 * weekday names are its own.
 */
function weeklyExpression(request: WeeklyScheduleRequest): string {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(request.time);
  if (match === null) throw new Error(`invalid weekly time ${JSON.stringify(request.time)}: expected HH:MM, 24-hour`);
  return `cron(${Number(match[2])} ${Number(match[1])} ? * ${request.day} *)`;
}

function sameDefinition(existing: GetScheduleOutput, wanted: Definition): boolean {
  const target = existing.Target;
  if (target === undefined) return false;
  return (
    existing.ScheduleExpression === wanted.ScheduleExpression &&
    existing.ScheduleExpressionTimezone === wanted.ScheduleExpressionTimezone &&
    existing.State === wanted.State &&
    (existing.ActionAfterCompletion ?? 'NONE') === wanted.ActionAfterCompletion &&
    existing.FlexibleTimeWindow?.Mode === wanted.FlexibleTimeWindow?.Mode &&
    target.Arn === wanted.Target.Arn &&
    target.RoleArn === wanted.Target.RoleArn &&
    target.Input === wanted.Target.Input &&
    target.DeadLetterConfig?.Arn === wanted.Target.DeadLetterConfig?.Arn &&
    target.RetryPolicy?.MaximumRetryAttempts === wanted.Target.RetryPolicy?.MaximumRetryAttempts &&
    target.RetryPolicy?.MaximumEventAgeInSeconds === wanted.Target.RetryPolicy?.MaximumEventAgeInSeconds
  );
}
