import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const fiveMinutes = Duration.minutes(5);

/**
 * SES reviews an account whose bounce rate passes 5% or complaint rate passes 0.1%, and may pause its sending;
 * these thresholds warn at well under half of that, while there is time to act.
 */
export const sesReputationAlarms = [
  { id: 'SesBounceRate', metricName: 'Reputation.BounceRate', threshold: 0.02 },
  { id: 'SesComplaintRate', metricName: 'Reputation.ComplaintRate', threshold: 0.0005 },
] as const;

/** Every alarm of the service, all notifying one topic, so one subscription hears about all of them. */
export class Alarms extends Construct {
  readonly #action: SnsAction;

  constructor(scope: Construct, id: string, props: { readonly topic: ITopic }) {
    super(scope, id);
    this.#action = new SnsAction(props.topic);
  }

  /** A message in a dead-letter queue is an event we failed to handle: someone must look at it. */
  onDeadLetters(id: string, queue: IQueue): void {
    this.add(`${id}Messages`, {
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
      threshold: 1,
      description: `A message is waiting in ${id}: an event was not handled and will expire after 14 days.`,
    });
  }

  onFunction(id: string, fn: IFunction): void {
    this.add(`${id}Errors`, {
      metric: fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      description: `${id} failed an invocation.`,
    });
    this.add(`${id}Throttles`, {
      metric: fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 1,
      description: `${id} was throttled: the account's or the function's concurrency is exhausted.`,
    });
  }

  /** Account-wide SES reputation, as SES itself measures it for its reviews. */
  onSesReputation(): void {
    for (const { id, metricName, threshold } of sesReputationAlarms) {
      this.add(id, {
        metric: new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' }),
        threshold,
        description: `${metricName} reached ${threshold}: find the cause before SES reviews the account.`,
      });
    }
  }

  private add(id: string, props: { metric: Metric; threshold: number; description: string }): void {
    const alarm = new Alarm(this, id, {
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened: no invocations, no messages, no mail sent that hour.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: props.description,
    });
    alarm.addAlarmAction(this.#action);
  }
}
