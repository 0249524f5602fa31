import { describe, expect, it } from 'vitest';
import { AWS_ENV, loadAwsConfig } from '../../../functions/config/aws-env';
import { ENV, LOCAL_DEFAULTS, loadConfig } from '../../../functions/config/env';

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

  it('[R5] requires the allowed sender domains on AWS', () => {
    expect(() => loadAwsConfig({}, ['allowedSenderDomains'])).toThrow(/FOLLOWTHROUGH_ALLOWED_SENDER_DOMAINS: /);
  });

  it('[R5] refuses * as the allowed sender domains on AWS: there the domains are named', () => {
    expect(() => loadAwsConfig({ [AWS_ENV.allowedSenderDomains]: '*' }, ['allowedSenderDomains'])).toThrow(/not \*/);
  });

  it('[R5] reads named sender domains, under the name the local config uses too', () => {
    const env = { [ENV.allowedSenderDomains]: 'acme.example,acme-sales.example' };

    expect(loadAwsConfig(env, ['allowedSenderDomains'])).toEqual({
      allowedSenderDomains: 'acme.example,acme-sales.example',
    });
  });
});

describe('the allowed sender domains on the local stack', () => {
  const local = (env: NodeJS.ProcessEnv) => loadConfig(env, { ...LOCAL_DEFAULTS, linkKeys: 'k1:secret' });

  it('[R5] are unset unless FOLLOWTHROUGH_ALLOWED_SENDER_DOMAINS names them, so that the local wiring takes any', () => {
    expect(local({}).allowedSenderDomains).toBeUndefined();
  });

  it('[R5] are read from FOLLOWTHROUGH_ALLOWED_SENDER_DOMAINS, lower-cased', () => {
    const config = local({ [ENV.allowedSenderDomains]: 'Acme.example, acme-sales.example' });

    expect(config.allowedSenderDomains).toEqual(['acme.example', 'acme-sales.example']);
  });

  it('[R5] refuse a value that names no domain', () => {
    expect(() => local({ [ENV.allowedSenderDomains]: 'acme' })).toThrow(/FOLLOWTHROUGH_ALLOWED_SENDER_DOMAINS: /);
  });
});
