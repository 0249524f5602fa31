import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A queue that catches what could not be delivered or processed. SQS-managed encryption rather than a KMS key:
 * Lambda destinations and EventBridge Scheduler can then write to it without a key grant, and the messages hold
 * event metadata, not mail bodies.
 */
export function deadLetterQueue(
  scope: Construct,
  id: string,
  options: {
    /** It is named in another queue's redrive policy, which is how cdk-nag knows a DLQ: nothing to acknowledge. */
    readonly redriveTarget?: boolean;
  } = {},
): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The longest SQS allows: a failure found after a holiday can still be replayed.
    retentionPeriod: Duration.days(14),
  });
  if (options.redriveTarget) return queue;
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (a Lambda on-failure destination, the Scheduler DLQ or an SNS subscription DLQ); a DLQ of a DLQ would only move the problem. An alarm fires on its first message.',
  });
  return queue;
}
