import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  ConfigurationSetEventDestination,
  EmailSendingEvent,
  EventDestination,
  ReceiptRuleSet,
  TlsPolicy,
} from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 } from 'aws-cdk-lib/aws-ses-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PAGE_LEASE_SECONDS } from '../../functions/ports/page-queue';
import type { HandlerName } from '../bundling';
import { Alarms } from '../constructs/alarms';
import { deadLetterQueue } from '../constructs/dead-letter-queue';
import {
  FollowthroughFunction,
  type FollowthroughFunctionProps,
  type MailSending,
  type Setting,
} from '../constructs/followthrough-function';
import { PublicApi } from '../constructs/public-api';
import { Scheduling } from '../constructs/scheduling';
import type { Settings } from '../settings';
import type { DataStack } from './data-stack';

export interface ServiceStackProps extends StackProps {
  readonly data: DataStack;
  readonly settings: Settings;
}

/** The functions by the name of their entry in functions/handlers. */
export type ServiceFunctions = Record<HandlerName, FollowthroughFunction>;

/**
 * The stateless half: functions, the HTTP API, mail receiving and feedback, scheduling's role and DLQ, alarms.
 * It can be destroyed and redeployed; what it reads and writes lives in the data stack.
 */
export class ServiceStack extends Stack {
  readonly functions: ServiceFunctions;
  readonly scheduling: Scheduling;
  readonly api: PublicApi;
  readonly alarmTopic: Topic;
  readonly receiptRuleSet: ReceiptRuleSet;
  /** Feedback events SNS could not hand to delivery-feedback at all (its own failures go to its failure queue). */
  readonly feedbackDeadLetterQueue: Queue;
  /** The pages of the weekly slots' jobs, one message each, drained by weekly-pages. */
  readonly weeklyPagesQueue: Queue;
  /** Pages that failed three receives. */
  readonly weeklyPagesDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { data, settings } = props;

    this.api = new PublicApi(this, 'PublicApi', { throttle: { rateLimit: 20, burstLimit: 40 } });
    // The links in every mail point here; a custom domain (certificate and DNS made outside this app) replaces it.
    const baseUrl = settings.apiDomain === undefined ? this.api.endpoint : `https://${settings.apiDomain}`;
    // Every function that loads the application config (config/env.ts) needs all of it; only delivery-feedback,
    // which writes suppressions and nothing else, reads the table name alone.
    const appSettings: Partial<Record<Setting, string>> = {
      inboxAddress: settings.inbox,
      fromAddress: settings.from,
      wrapupDelayMinutes: String(settings.wrapupDelayMinutes),
      baseUrl,
      retentionDays: String(settings.retentionDays),
    };
    const mail: MailSending = {
      identityArn: this.formatArn({ service: 'ses', resource: 'identity', resourceName: settings.domain }),
      configurationSetName: data.configurationSet.configurationSetName,
      configurationSetArn: this.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: data.configurationSet.configurationSetName,
      }),
    };
    const make = (name: HandlerName, id: string, props: Omit<FollowthroughFunctionProps, 'handler' | 'logLevel'>) =>
      new FollowthroughFunction(this, id, { handler: name, logLevel: settings.logLevel, ...props });

    const scheduledSend = make('scheduled-send', 'ScheduledSend', {
      description: 'Sends the wrap-up, digest or weekly mail a schedule fired for',
      settings: appSettings,
      timeout: Duration.seconds(60),
      memorySize: 512,
      // Scheduler invokes asynchronously: an error after Lambda's own retries lands on this function's failure
      // queue, not on the Scheduler DLQ (which only sees invocations Scheduler could not make).
      async: { maxEventAge: Duration.hours(6), retryAttempts: 2 },
      // Caps how many sends run at once, so that Monday morning's weekly digests stay under SES's sending rate.
      // 0 reserves nothing: Lambda keeps at least 10 executions unreserved, so a new account whose concurrency
      // quota is still 10 cannot reserve any and must deploy with `-c sendConcurrency=0`.
      ...(settings.sendConcurrency > 0 ? { reservedConcurrentExecutions: settings.sendConcurrency } : {}),
    });
    this.scheduling = new Scheduling(this, 'Scheduling', {
      group: data.scheduleGroup,
      target: scheduledSend.lambda,
    });

    // A weekly slot's job (scheduled-send) puts its people on this queue, 100 a message; weekly-pages sends them, a
    // page an invocation, two at a time, each holding SES to half the account's send rate. Two minutes is room for a
    // page of 100 mails at 7 a second and its reads; the visibility timeout is six times that (as Lambda asks of an
    // SQS event source), and the page's lease (PAGE_LEASE_SECONDS) lies between the two.
    const weeklyPagesTimeout = Duration.minutes(2);
    const weeklyPagesConcurrency = 2;
    this.weeklyPagesDeadLetterQueue = deadLetterQueue(this, 'WeeklyPagesDeadLetterQueue', {
      redriveTarget: true,
    });
    this.weeklyPagesQueue = new Queue(this, 'WeeklyPagesQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(weeklyPagesTimeout.toSeconds() * 6),
      // A week's pages are of use that week; a page that keeps failing moves to the dead-letter queue long before.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.weeklyPagesDeadLetterQueue, maxReceiveCount: 3 },
    });
    if (
      PAGE_LEASE_SECONDS <= weeklyPagesTimeout.toSeconds() ||
      PAGE_LEASE_SECONDS >= weeklyPagesTimeout.toSeconds() * 6
    ) {
      throw new Error(
        'The weekly page lease must outlast the weekly-pages timeout and end within the visibility timeout',
      );
    }
    const weeklyPages = make('weekly-pages', 'WeeklyPages', {
      description: 'Sends one page of a weekly slot: up to 100 weekly digests and roll-ups, at its share of SES’s rate',
      settings: appSettings,
      timeout: weeklyPagesTimeout,
      memorySize: 512,
    });
    weeklyPages.lambda.addEventSource(
      new SqsEventSource(this.weeklyPagesQueue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: weeklyPagesConcurrency,
      }),
    );
    weeklyPages.setAwsSetting('sesMaxSendRate', String(settings.sesMaxSendRate));
    weeklyPages.setAwsSetting('weeklyPagesConcurrency', String(weeklyPagesConcurrency));
    scheduledSend.setAwsSetting('weeklyPagesQueueUrl', this.weeklyPagesQueue.queueUrl);
    this.weeklyPagesQueue.grantSendMessages(scheduledSend.role);

    const sesInbound = make('ses-inbound', 'SesInbound', {
      description: 'Ingests mail the SES receipt rule stored: notes become items, replies change them',
      settings: appSettings,
      timeout: Duration.seconds(60),
      memorySize: 1024,
      async: { maxEventAge: Duration.hours(6), retryAttempts: 2 },
    });
    const webhook = make('webhook', 'Webhook', {
      description: 'POST /webhooks/notes: signed notes from other tools',
      settings: appSettings,
      // API Gateway gives up on an integration after 30 seconds.
      timeout: Duration.seconds(29),
      memorySize: 1024,
    });
    const actionLinks = make('action-links', 'ActionLinks', {
      description: '/a/{token}: the done, drop and snooze links in every mail; /u/{token}: unsubscribe from digests',
      settings: appSettings,
      timeout: Duration.seconds(10),
      memorySize: 512,
    });
    const deliveryFeedback = make('delivery-feedback', 'DeliveryFeedback', {
      description: 'Suppresses addresses that bounced or complained (SES events by way of SNS)',
      timeout: Duration.seconds(30),
      memorySize: 256,
      async: { maxEventAge: Duration.hours(6), retryAttempts: 2 },
    });
    this.functions = {
      'ses-inbound': sesInbound,
      webhook,
      'scheduled-send': scheduledSend,
      'action-links': actionLinks,
      'delivery-feedback': deliveryFeedback,
      'weekly-pages': weeklyPages,
    };

    for (const fn of Object.values(this.functions)) fn.bindTable(data.table);
    for (const fn of [sesInbound, webhook, scheduledSend, actionLinks, weeklyPages]) {
      fn.bindSecret('linkKeysSecret', data.linkKeysSecret);
    }
    for (const fn of [sesInbound, scheduledSend]) {
      fn.bindIdempotencyTable(data.idempotencyTable);
      fn.bindMailSending(mail);
    }
    weeklyPages.bindMailSending(mail);
    for (const fn of [sesInbound, webhook]) this.scheduling.bind(fn);
    // Read by the ingest wiring both share; only SES inbound acts on it (the webhook's requests are signed).
    for (const fn of [sesInbound, webhook]) {
      fn.setAwsSetting('allowedSenderDomains', settings.allowedSenderDomains.join(','));
    }
    sesInbound.bindRawMail(data.rawMailBucket, { readInbound: true });
    webhook.bindRawMail(data.rawMailBucket, { readInbound: false });
    webhook.bindSecret('webhookSecret', data.webhookSecret);
    // The webhook sends no mail, but it loads the same ingest wiring as SES inbound, which checks the name is set.
    webhook.setAwsSetting('sesConfigurationSet', mail.configurationSetName);
    // Off unless the deployment names a model: the rules extract on their own, and are the model's fallback.
    if (settings.bedrockModelId !== undefined) {
      for (const fn of [sesInbound, webhook]) fn.bindBedrockModel(settings.bedrockModelId);
    }

    this.api.addRoutes('Webhook', webhook.lambda, [{ path: '/webhooks/notes', methods: [HttpMethod.POST] }]);
    this.api.addRoutes('ActionLinks', actionLinks.lambda, [
      { path: '/a/{token}', methods: [HttpMethod.ANY] },
      { path: '/a/{token}/undo', methods: [HttpMethod.POST] },
      { path: '/u/{token}', methods: [HttpMethod.ANY] },
    ]);

    // CloudWatch alarms and SES event publishing cannot use the AWS-managed SNS key: both topics share one
    // customer-managed key whose policy lets those two services use it.
    const topicKey = new Key(this, 'TopicKey', {
      description: 'followthrough: encrypts the alarm and delivery-feedback SNS topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com'), new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    const feedbackTopic = new Topic(this, 'DeliveryFeedbackTopic', { masterKey: topicKey, enforceSSL: true });
    new ConfigurationSetEventDestination(this, 'DeliveryFeedbackEvents', {
      configurationSet: data.configurationSet,
      destination: EventDestination.snsTopic(feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    // SNS retries a Lambda it cannot invoke (throttled, or denied) for a while, then drops the event; with a
    // dead-letter queue on the subscription a bounce that never reached us is kept and alarmed on instead.
    this.feedbackDeadLetterQueue = deadLetterQueue(this, 'DeliveryFeedbackDeadLetterQueue');
    feedbackTopic.addSubscription(
      new LambdaSubscription(deliveryFeedback.lambda, { deadLetterQueue: this.feedbackDeadLetterQueue }),
    );

    // The rule set lives here, next to the function it invokes. Its S3 action adds a statement to the bucket's
    // policy in the data stack, which names only the bucket and the account, so the reference runs one way
    // (service → data) and there is no cycle.
    //
    // It is deliberately not activated: an account and region have ONE active receipt rule set, and activating ours
    // from a custom resource would silently deactivate one the customer may already receive mail with. Activate it
    // once, by hand: the ActivateReceiptRuleSet output prints the command.
    this.receiptRuleSet = new ReceiptRuleSet(this, 'ReceiptRuleSet', {
      receiptRuleSetName: settings.receiptRuleSetName,
    });
    this.receiptRuleSet.addRule('Notes', {
      recipients: [settings.inbox],
      // Spam and virus verdicts are computed so that ses-inbound can drop what fails them.
      scanEnabled: true,
      tlsPolicy: TlsPolicy.REQUIRE,
      actions: [
        // The Lambda event carries headers only: the message is stored first, then the function reads it.
        // `as IBucket`: the tsconfig's exactOptionalPropertyTypes rejects CDK's own Bucket → IBucket (isWebsite?).
        new S3({ bucket: data.rawMailBucket as IBucket, objectKeyPrefix: 'inbound/' }),
        new LambdaAction({ function: sesInbound.lambda, invocationType: LambdaInvocationType.EVENT }),
      ],
    });

    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: CloudWatch is let in by name.
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
    const alarms = new Alarms(this, 'Alarms', { topic: this.alarmTopic });
    for (const fn of Object.values(this.functions)) {
      alarms.onFunction(fn.node.id, fn.lambda);
      if (fn.failureQueue) alarms.onDeadLetters(`${fn.node.id}FailureQueue`, fn.failureQueue);
    }
    alarms.onDeadLetters('SchedulerDeadLetterQueue', this.scheduling.deadLetterQueue);
    alarms.onDeadLetters('DeliveryFeedbackDeadLetterQueue', this.feedbackDeadLetterQueue);
    alarms.onDeadLetters('WeeklyPagesDeadLetterQueue', this.weeklyPagesDeadLetterQueue);
    alarms.onSesReputation();

    new CfnOutput(this, 'ApiEndpoint', { value: this.api.endpoint });
    new CfnOutput(this, 'WebhookUrl', { value: `${baseUrl}/webhooks/notes` });
    new CfnOutput(this, 'ActivateReceiptRuleSet', {
      description: 'Run once, after checking no other rule set is active in this region (it would be replaced)',
      value: `aws ses set-active-receipt-rule-set --rule-set-name ${settings.receiptRuleSetName} --region ${this.region}`,
    });
  }
}
