import { describe, expect, it } from 'vitest';
import { AWS_ENV, loadAwsConfig } from '../../../functions/config/aws-env';

const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:send';

describe('the AWS settings', () => {
  it('reads only the settings a function asks for', () => {
    const env = { [AWS_ENV.scheduleTargetArn]: arn, [AWS_ENV.scheduleGroup]: 'followthrough' };

    expect(loadAwsConfig(env, ['scheduleTargetArn', 'scheduleGroup'])).toEqual({
      scheduleTargetArn: arn,
      scheduleGroup: 'followthrough',
    });
  });

  it('names every missing or malformed variable at once', () => {
    const env = { [AWS_ENV.scheduleTargetArn]: 'send-function' };

    expect(() => loadAwsConfig(env, ['scheduleTargetArn', 'scheduleGroup', 'idempotencyTable'])).toThrow(
      /FOLLOWTHROUGH_SCHEDULE_TARGET_ARN: an ARN; FOLLOWTHROUGH_SCHEDULE_GROUP: .*; FOLLOWTHROUGH_IDEMPOTENCY_TABLE/,
    );
  });

  it('refuses an inbound prefix that would not be a plain S3 key prefix', () => {
    expect(() => loadAwsConfig({ [AWS_ENV.inboundPrefix]: 'inbound/../' }, ['inboundPrefix'])).toThrow(/S3 key prefix/);
    expect(() => loadAwsConfig({ [AWS_ENV.inboundPrefix]: 'in bound/' }, ['inboundPrefix'])).toThrow(/S3 key prefix/);
  });
});
