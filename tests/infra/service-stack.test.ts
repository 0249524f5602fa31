import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AWS_ENV } from '../../functions/config/aws-env';
import { ENV } from '../../functions/config/env';
import { PAGE_LEASE_SECONDS } from '../../functions/ports/page-queue';
import { type HandlerName, handlerNames } from '../../infra/bundling';
import { sesReputationAlarms } from '../../infra/constructs/alarms';
import { synthesizeApp } from './support/synth';
import {
  actionsOf,
  environmentOf,
  isGetAtt,
  isRef,
  logicalId,
  onlyResourceOfType,
  propertiesOf,
  resourceOf,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  type Statement,
} from './support/template';

const { service, data, settings, serviceTemplate: template, dataTemplate } = synthesizeApp();
const fn = (name: HandlerName) => service.functions[name];
const fnId = (name: HandlerName) => logicalId(fn(name).lambda);
const statementsOf = (name: HandlerName) => roleStatements(template, logicalId(fn(name).role));
const environment = (name: HandlerName) => environmentOf(template, fn(name).lambda);
const allows = (statements: Statement[], action: string) => statements.filter((s) => actionsOf(s).includes(action));

describe('ServiceStack functions', () => {
  const functions = resourcesOfType(template, 'AWS::Lambda::Function');

  it('has one function per entry point and no helper functions of CDK', () => {
    expect(functions.map(([id]) => id).sort()).toEqual(handlerNames.map(fnId).sort());
    expect(Object.keys(template.toJSON().Resources).filter((id) => /LogRetention|Custom/.test(id))).toEqual([]);
  });

  it.each(handlerNames)('runs %s on Node.js 22 on arm64, its handler export named handler', (name) => {
    expect(resourceOf(template, fn(name).lambda).Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  it('runs every function in the service stack on nodejs22.x and arm64', () => {
    for (const [, resource] of functions) {
      expect(resource.Properties?.Runtime).toBe('nodejs22.x');
      expect(resource.Properties?.Architectures).toEqual(['arm64']);
    }
  });

  it.each(handlerNames)('logs %s to its own log group, kept a month and deleted with the stack', (name) => {
    const logGroup = resourceOf(template, fn(name).logGroup);
    expect(logGroup.Properties?.RetentionInDays).toBe(30);
    expect(logGroup.DeletionPolicy).toBe('Delete');
    expect(resourceOf(template, fn(name).lambda).Properties?.LoggingConfig).toEqual({
      LogGroup: { Ref: logicalId(fn(name).logGroup) },
    });
  });

  it('gives no function an AWS managed policy', () => {
    for (const [, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('reserves the configured concurrency for scheduled-send, and none for the others', () => {
    expect(resourceOf(template, fn('scheduled-send').lambda).Properties?.ReservedConcurrentExecutions).toBe(5);
    for (const name of handlerNames.filter((n) => n !== 'scheduled-send')) {
      expect(resourceOf(template, fn(name).lambda).Properties?.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it.each(['ses-inbound', 'scheduled-send', 'delivery-feedback'] as const)(
    'sends a %s event that still fails after two retries to its own failure queue',
    (name) => {
      const queue = fn(name).failureQueue;
      expect(queue).toBeDefined();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fnId(name) },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 6 * 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue && logicalId(queue), 'Arn'] } } },
      });
    },
  );
});

describe('ServiceStack environments', () => {
  const common = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL', 'NODE_OPTIONS'];
  const appConfig = [
    ENV.tableName,
    ENV.inboxAddress,
    ENV.fromAddress,
    ENV.wrapupDelayMinutes,
    ENV.baseUrl,
    ENV.retentionDays,
  ];
  const scheduling = [
    AWS_ENV.scheduleGroup,
    AWS_ENV.scheduleTargetArn,
    AWS_ENV.scheduleRoleArn,
    AWS_ENV.scheduleDlqArn,
  ];
  const expected: Record<HandlerName, string[]> = {
    'ses-inbound': [
      ...appConfig,
      ...scheduling,
      AWS_ENV.linkKeysSecret,
      AWS_ENV.idempotencyTable,
      AWS_ENV.sesConfigurationSet,
      AWS_ENV.rawMailBucket,
      AWS_ENV.inboundPrefix,
      AWS_ENV.allowedSenderDomains,
    ],
    webhook: [
      ...appConfig,
      ...scheduling,
      AWS_ENV.linkKeysSecret,
      AWS_ENV.webhookSecret,
      AWS_ENV.rawMailBucket,
      AWS_ENV.sesConfigurationSet,
      AWS_ENV.allowedSenderDomains,
    ],
    'scheduled-send': [
      ...appConfig,
      AWS_ENV.linkKeysSecret,
      AWS_ENV.idempotencyTable,
      AWS_ENV.sesConfigurationSet,
      AWS_ENV.weeklyPagesQueueUrl,
    ],
    'action-links': [...appConfig, AWS_ENV.linkKeysSecret],
    'delivery-feedback': [ENV.tableName],
    'weekly-pages': [
      ...appConfig,
      AWS_ENV.linkKeysSecret,
      AWS_ENV.sesConfigurationSet,
      AWS_ENV.sesMaxSendRate,
      AWS_ENV.weeklyPagesConcurrency,
    ],
  };

  it.each(handlerNames)('gives %s exactly the variables it reads', (name) => {
    expect(Object.keys(environment(name)).sort()).toEqual([...common, ...expected[name]].sort());
  });

  it('never puts the link keys themselves in an environment', () => {
    for (const name of handlerNames) expect(environment(name)).not.toHaveProperty(ENV.linkKeys);
  });

  it('configures Powertools and source maps the same way everywhere', () => {
    for (const name of handlerNames) {
      expect(environment(name)).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'followthrough',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('receives mail at notes@<domain>, sends from it, and links to the HTTP API', () => {
    expect(environment('ses-inbound')).toMatchObject({
      [ENV.inboxAddress]: 'notes@followthrough.example',
      [ENV.fromAddress]: 'notes@followthrough.example',
      [ENV.wrapupDelayMinutes]: '30',
      [AWS_ENV.inboundPrefix]: 'inbound/',
    });
    expect(environment('scheduled-send')).toMatchObject({ [ENV.retentionDays]: '730' });
    expect(isGetAtt(environment('scheduled-send')[ENV.baseUrl], logicalId(service.api.api), 'ApiEndpoint')).toBe(true);
  });

  it('points schedules at scheduled-send, through the scheduling role, failing over to the scheduling DLQ', () => {
    const env = environment('ses-inbound');
    expect(isGetAtt(env[AWS_ENV.scheduleTargetArn], fnId('scheduled-send'), 'Arn')).toBe(true);
    expect(isGetAtt(env[AWS_ENV.scheduleRoleArn], logicalId(service.scheduling.role), 'Arn')).toBe(true);
    expect(isGetAtt(env[AWS_ENV.scheduleDlqArn], logicalId(service.scheduling.deadLetterQueue), 'Arn')).toBe(true);
  });
});

describe('ServiceStack permissions', () => {
  const secretReaders = (secretExport: RegExp) =>
    handlerNames.filter((name) =>
      allows(statementsOf(name), 'secretsmanager:GetSecretValue').some((s) =>
        resourcesOf(s).some((r) => secretExport.test(JSON.stringify(r))),
      ),
    );

  it('lets only the webhook read the webhook secret', () => {
    expect(secretReaders(/WebhookSecret/)).toEqual(['webhook']);
  });

  it('lets the five functions that sign or verify links read the link keys, and delivery-feedback not', () => {
    expect(secretReaders(/LinkKeysSecret/).sort()).toEqual(
      ['action-links', 'scheduled-send', 'ses-inbound', 'webhook', 'weekly-pages'].sort(),
    );
  });

  it('lets only the two ingest functions pass a role, only the scheduling role, and only to Scheduler', () => {
    const passers = handlerNames.filter((name) => allows(statementsOf(name), 'iam:PassRole').length > 0);
    expect(passers.sort()).toEqual(['ses-inbound', 'webhook']);
    for (const name of passers) {
      expect(allows(statementsOf(name), 'iam:PassRole')).toEqual([
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [logicalId(service.scheduling.role), 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        },
      ]);
    }
  });

  it('lets the ingest functions manage only the schedules of the group', () => {
    for (const name of ['ses-inbound', 'webhook'] as const) {
      const [statement, ...others] = allows(statementsOf(name), 'scheduler:CreateSchedule');
      expect(others).toEqual([]);
      expect(actionsOf(statement as Statement).sort()).toEqual([
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
      ]);
      expect(JSON.stringify(statement?.Resource)).toMatch(/:schedule\/FollowthroughData-ScheduleGroup-[A-Z0-9]+\/\*"/);
    }
    for (const name of ['scheduled-send', 'action-links', 'delivery-feedback', 'weekly-pages'] as const) {
      expect(
        statementsOf(name)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('scheduler:')),
      ).toEqual([]);
    }
  });

  it('lets ses-inbound read inbound/ and write raw/, the webhook write raw/, and no one else touch the bucket', () => {
    const s3 = (name: HandlerName) =>
      statementsOf(name)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')))
        .map((s) => [actionsOf(s), JSON.stringify(s.Resource).match(/\/(\w+)\/\*/)?.[1]]);
    expect(s3('ses-inbound')).toEqual([
      [['s3:PutObject'], 'raw'],
      [['s3:GetObject'], 'inbound'],
    ]);
    expect(s3('webhook')).toEqual([[['s3:PutObject'], 'raw']]);
    for (const name of ['scheduled-send', 'action-links', 'delivery-feedback', 'weekly-pages'] as const) {
      expect(s3(name)).toEqual([]);
    }
  });

  it('lets the three functions that mail send raw email from the domain through the configuration set', () => {
    const senders = handlerNames.filter((name) => allows(statementsOf(name), 'ses:SendRawEmail').length > 0);
    expect(senders.sort()).toEqual(['scheduled-send', 'ses-inbound', 'weekly-pages']);
    const [statement] = allows(statementsOf('scheduled-send'), 'ses:SendRawEmail');
    expect(JSON.stringify(statement?.Resource)).toContain(':identity/followthrough.example"');
    expect(JSON.stringify(statement?.Resource)).toContain(':configuration-set/"');
  });

  it('gives every function item access to the table and its two indexes, and no Scan', () => {
    for (const name of handlerNames) {
      const [statement] = allows(statementsOf(name), 'dynamodb:Query').filter((s) =>
        JSON.stringify(s.Resource).includes('TableCD117FA1'),
      );
      expect(resourcesOf(statement as Statement)).toHaveLength(3);
      expect(JSON.stringify(statement?.Resource)).toMatch(/\/index\/gsi1".*\/index\/gsi2"/);
      expect(statementsOf(name).flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    }
  });

  it('gives the idempotency table to the two functions that run once per event', () => {
    const users = handlerNames.filter((name) =>
      statementsOf(name).some((s) => JSON.stringify(s.Resource).includes('IdempotencyTable')),
    );
    expect(users.sort()).toEqual(['scheduled-send', 'ses-inbound']);
  });
});

describe('ServiceStack inbound mail', () => {
  const rule = propertiesOf(onlyResourceOfType(template, 'AWS::SES::ReceiptRule'));
  const props = rule.Rule as Record<string, unknown> & { Actions: Array<Record<string, unknown>> };

  it('stores mail for the inbox under inbound/ first, then invokes ses-inbound asynchronously', () => {
    expect(props.Recipients).toEqual([settings.inbox]);
    expect(props.Actions.map((a) => Object.keys(a))).toEqual([['S3Action'], ['LambdaAction']]);
    expect(props.Actions[0]?.S3Action).toMatchObject({
      ObjectKeyPrefix: 'inbound/',
      BucketName: { 'Fn::ImportValue': expect.stringContaining(logicalId(data.rawMailBucket)) },
    });
    expect(props.Actions[1]?.LambdaAction).toEqual({
      FunctionArn: { 'Fn::GetAtt': [fnId('ses-inbound'), 'Arn'] },
      InvocationType: 'Event',
    });
  });

  it('scans for spam and viruses and refuses mail delivered without TLS', () => {
    expect(props).toMatchObject({ ScanEnabled: true, TlsPolicy: 'Require', Enabled: true });
  });

  it('names the rule set and leaves its activation to a person (no custom resource)', () => {
    template.hasResourceProperties('AWS::SES::ReceiptRuleSet', { RuleSetName: 'followthrough-inbound' });
    expect(resourcesOfType(template, 'Custom::AWS')).toEqual([]);
    template.hasOutput('ActivateReceiptRuleSet', {
      Value: 'aws ses set-active-receipt-rule-set --rule-set-name followthrough-inbound --region eu-west-1',
    });
  });

  it('lets SES invoke ses-inbound from this account only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [fnId('ses-inbound'), 'Arn'] },
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });
});

describe('ServiceStack delivery feedback', () => {
  it('publishes bounces and complaints of the configuration set to an encrypted, TLS-only topic', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { 'Fn::ImportValue': Match.stringLikeRegexp('ConfigurationSet') },
      EventDestination: {
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        SnsDestination: Match.anyValue(),
      },
    });
    const [[topicId] = ['']] = resourcesOfType(template, 'AWS::SNS::Topic').filter(([id]) =>
      /DeliveryFeedback/.test(id),
    );
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'ses.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId },
      Endpoint: { 'Fn::GetAtt': [fnId('delivery-feedback'), 'Arn'] },
    });
  });

  it('lets CloudWatch and SES use the topics key, from this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'ses.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ]),
      },
    });
  });
});

describe('ServiceStack scheduling', () => {
  const roleId = logicalId(service.scheduling.role);
  const dlqId = logicalId(service.scheduling.deadLetterQueue);

  it('lets only Scheduler assume the execution role, for this account and schedule group', () => {
    expect(resourceOf(template, service.scheduling.role).Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': { 'Fn::ImportValue': expect.stringContaining('ScheduleGroup') } },
          },
        },
      ],
    });
  });

  it('lets the execution role invoke scheduled-send and write to the DLQ, nothing else', () => {
    expect(roleStatements(template, roleId)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fnId('scheduled-send'), 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    ]);
  });

  it('keeps dead letters encrypted for 14 days behind a TLS-only queue policy', () => {
    expect(resourceOf(template, service.scheduling.deadLetterQueue).Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('ServiceStack dead letters: every event source ends in a queue', () => {
  const failureQueueOf = (name: HandlerName) => {
    const queue = fn(name).failureQueue;
    if (queue === undefined) throw new Error(`${name} should have a failure queue`);
    return logicalId(queue);
  };
  const onFailure = (name: HandlerName) =>
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId(name) },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureQueueOf(name), 'Arn'] } } },
    });

  it('[R24] hands SES receipts to ses-inbound asynchronously, so a receipt it keeps failing lands in its failure queue', () => {
    const rule = propertiesOf(onlyResourceOfType(template, 'AWS::SES::ReceiptRule')).Rule as {
      Actions: Array<{ LambdaAction?: { InvocationType: string } }>;
    };
    expect(rule.Actions.flatMap((a) => (a.LambdaAction ? [a.LambdaAction.InvocationType] : []))).toEqual(['Event']);
    onFailure('ses-inbound');
  });

  it('[R24] sends a schedule Scheduler cannot invoke to its DLQ, and a run scheduled-send keeps failing to its failure queue', () => {
    expect(
      isGetAtt(
        environment('ses-inbound')[AWS_ENV.scheduleDlqArn],
        logicalId(service.scheduling.deadLetterQueue),
        'Arn',
      ),
    ).toBe(true);
    onFailure('scheduled-send');
  });

  it('[R24] sends a feedback event SNS cannot deliver to a dead-letter queue only that topic may write to', () => {
    const queueId = logicalId(service.feedbackDeadLetterQueue);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [fnId('delivery-feedback'), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('[R24] sends a feedback event delivery-feedback keeps failing to its failure queue', () => {
    onFailure('delivery-feedback');
  });
});

describe('ServiceStack weekly fan-out', () => {
  const queueId = logicalId(service.weeklyPagesQueue);
  const dlqId = logicalId(service.weeklyPagesDeadLetterQueue);

  it('drains the weekly-pages queue a page an invocation, two at a time, reporting failures by item', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('weekly-pages') },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(environment('weekly-pages')).toMatchObject({
      [AWS_ENV.weeklyPagesConcurrency]: '2',
      [AWS_ENV.sesMaxSendRate]: '14',
    });
  });

  it('[R24] moves a page that failed three receives to a dead-letter queue, which has an alarm', () => {
    expect(resourceOf(template, service.weeklyPagesQueue).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(resourceOf(template, service.weeklyPagesDeadLetterQueue).Properties).toEqual({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('hides a page being sent for six times the worker’s timeout, and the page’s lease ends in between', () => {
    const timeout = resourceOf(template, fn('weekly-pages').lambda).Properties?.Timeout as number;
    const visibility = resourceOf(template, service.weeklyPagesQueue).Properties?.VisibilityTimeout as number;
    expect(visibility).toBe(6 * timeout);
    expect(PAGE_LEASE_SECONDS).toBeGreaterThan(timeout);
    expect(PAGE_LEASE_SECONDS).toBeLessThan(visibility);
  });

  it('lets scheduled-send put pages on the queue, and no other function', () => {
    const onQueue = (name: HandlerName) =>
      allows(statementsOf(name), 'sqs:SendMessage').filter((s) => JSON.stringify(s.Resource).includes(queueId));
    expect(handlerNames.filter((name) => onQueue(name).length > 0)).toEqual(['scheduled-send']);
    expect(onQueue('scheduled-send').map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [queueId, 'Arn'] }]);
    expect(isRef(environment('scheduled-send')[AWS_ENV.weeklyPagesQueueUrl], queueId)).toBe(true);
  });
});

describe('ServiceStack HTTP API', () => {
  it('[R17] routes the webhook, the action links and the unsubscribe links to their functions', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties?.RouteKey);
    expect(routes.sort()).toEqual(['ANY /a/{token}', 'ANY /u/{token}', 'POST /a/{token}/undo', 'POST /webhooks/notes']);
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 2);
    const target = (key: string) =>
      resourcesOfType(template, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties?.RouteKey === key)?.[1]
        .Properties?.Target;
    expect(target('ANY /u/{token}')).toEqual(target('ANY /a/{token}'));
  });

  it('throttles the default stage and access-logs it without the path, which holds link tokens', () => {
    const stage = propertiesOf(onlyResourceOfType(template, 'AWS::ApiGatewayV2::Stage'));
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
    const format = (stage.AccessLogSettings as { Format: string }).Format;
    expect(format).toContain('$context.routeKey');
    expect(format).not.toMatch(/\$context\.(path|resourcePath)/);
  });
});

describe('ServiceStack alarms', () => {
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
  const alarmTopicId = logicalId(service.alarmTopic);

  it('alarms once on each dead-letter queue, at the first visible message', () => {
    // Every queue is a dead-letter queue but the weekly pages' own, which is drained as a matter of course.
    const queues = resourcesOfType(template, 'AWS::SQS::Queue')
      .map(([id]) => id)
      .filter((id) => id !== logicalId(service.weeklyPagesQueue));
    const dlqAlarms = alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(queues.length);
    expect(
      dlqAlarms
        .map((a) => ((a.Dimensions as Array<{ Value: { 'Fn::GetAtt': string[] } }>)[0]?.Value['Fn::GetAtt'] ?? [])[0])
        .sort(),
    ).toEqual(queues.sort());
    for (const alarm of dlqAlarms) {
      expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it.each(handlerNames)('alarms on errors and throttles of %s', (name) => {
    for (const metric of ['Errors', 'Throttles']) {
      expect(
        alarms.filter(
          (a) =>
            a.MetricName === metric &&
            isRef((a.Dimensions as Array<{ Value: unknown }>)[0]?.Value, fnId(name)) &&
            a.Threshold === 1,
        ),
      ).toHaveLength(1);
    }
  });

  it('alarms on the SES bounce rate at 2% and the complaint rate at 0.05%', () => {
    expect(sesReputationAlarms.map((a) => [a.metricName, a.threshold])).toEqual([
      ['Reputation.BounceRate', 0.02],
      ['Reputation.ComplaintRate', 0.0005],
    ]);
    for (const { metricName, threshold } of sesReputationAlarms) {
      expect(alarms.filter((a) => a.Namespace === 'AWS/SES' && a.MetricName === metricName)).toEqual([
        expect.objectContaining({ Threshold: threshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
      ]);
    }
  });

  it('notifies the alarm topic from every alarm', () => {
    expect(alarms).toHaveLength(6 + 2 * handlerNames.length + 2);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: alarmTopicId }]);
  });

  it('mails the alarm address from an encrypted, TLS-only topic CloudWatch may publish to', () => {
    expect(resourceOf(template, service.alarmTopic).Properties?.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@followthrough.example',
      TopicArn: { Ref: alarmTopicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: alarmTopicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });
});

describe('ServiceStack outputs', () => {
  const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

  it('prints the webhook URL the README tells a sender to post to', () => {
    expect(JSON.stringify(outputs.WebhookUrl?.Value)).toContain('/webhooks/notes');
  });

  it('prints the command that activates the receipt rule set, which the deploy leaves inactive', () => {
    expect(JSON.stringify(outputs.ActivateReceiptRuleSet?.Value)).toContain(
      `aws ses set-active-receipt-rule-set --rule-set-name ${settings.receiptRuleSetName}`,
    );
  });
});

describe('DataStack outputs', () => {
  it('prints the ARNs of the webhook secret and the link keys, which the README reads and rotates', () => {
    const outputs = dataTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;

    expect(outputs.WebhookSecretArn?.Value).toEqual({ Ref: logicalId(data.webhookSecret) });
    expect(outputs.LinkKeysSecretArn?.Value).toEqual({ Ref: logicalId(data.linkKeysSecret) });
  });
});
