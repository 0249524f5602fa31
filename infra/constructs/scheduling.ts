import { Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../nag';
import { deadLetterQueue } from './dead-letter-queue';
import type { FollowthroughFunction } from './followthrough-function';

export interface SchedulingProps {
  /** Where the functions create their schedules (the data stack keeps it: pending schedules are state). */
  readonly group: IScheduleGroup;
  /** The one function every schedule invokes. */
  readonly target: IFunction;
}

/**
 * EventBridge Scheduler as the functions use it at run time: they create one schedule per wrap-up, digest and
 * weekly mail in the group, all invoking the scheduled-send function through one execution role, with one DLQ for
 * the invocations Scheduler could not make.
 */
export class Scheduling extends Construct {
  readonly role: Role;
  readonly deadLetterQueue: Queue;
  readonly #group: IScheduleGroup;
  readonly #target: IFunction;

  constructor(scope: Construct, id: string, props: SchedulingProps) {
    super(scope, id);
    this.#group = props.group;
    this.#target = props.target;
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');
    const stack = Stack.of(this);
    this.role = new Role(this, 'ExecutionRole', {
      description: 'Assumed by EventBridge Scheduler to invoke the scheduled-send function',
      // Confused-deputy guard: only schedules of this account's group may use the role.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': props.group.scheduleGroupArn },
        },
      }),
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.target.functionArn] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
  }

  /**
   * Lets a function manage the schedules of the group, and pass the execution role to Scheduler and to nothing
   * else: a function that could pass any role could run code with that role's permissions.
   */
  bind(fn: FollowthroughFunction): void {
    fn.setAwsSetting('scheduleGroup', this.#group.scheduleGroupName);
    fn.setAwsSetting('scheduleTargetArn', this.#target.functionArn);
    fn.setAwsSetting('scheduleRoleArn', this.role.roleArn);
    fn.setAwsSetting('scheduleDlqArn', this.deadLetterQueue.queueArn);
    const schedules = Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.#group.scheduleGroupName}/*`,
    });
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:GetSchedule',
          'scheduler:DeleteSchedule',
        ],
        resources: [schedules],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    acknowledgeWildcards(
      fn.role,
      [schedules],
      'Schedule names are derived from meetings, series and people at run time; the grant is limited to the schedules of our one group.',
    );
  }
}
