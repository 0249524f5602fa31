import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  AssetHashType,
  type BundlingOptions,
  DockerImage,
  type Duration,
  type ILocalBundling,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AWS_ENV, type AwsSetting, EXTRACTOR_ENV } from '../../functions/config/aws-env';
import { ENV } from '../../functions/config/env';
import { globalIndexes } from '../../functions/config/table';
import { type HandlerName, handlerFile, projectRoot } from '../bundling';
import { acknowledgeWildcards } from '../nag';
import { deadLetterQueue } from './dead-letter-queue';

const itemActions = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/** A cross-region inference profile's id starts with its geography: `us.anthropic…`, `eu.amazon…`, `global.…`. */
const INFERENCE_PROFILE = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;

/**
 * What bedrock:InvokeModel must name for a model id: the foundation model in this region; for an inference profile,
 * the profile in this account and region, and the model behind it in any region (Bedrock user guide, "Prerequisites
 * for inference profiles").
 */
export function bedrockModelArns(stack: Stack, modelId: string): string[] {
  const profile = INFERENCE_PROFILE.exec(modelId);
  if (!profile) {
    return [stack.formatArn({ service: 'bedrock', account: '', resource: 'foundation-model', resourceName: modelId })];
  }
  return [
    stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: modelId }),
    stack.formatArn({
      service: 'bedrock',
      region: '*',
      account: '',
      resource: 'foundation-model',
      resourceName: modelId.slice(profile[0].length),
    }),
  ];
}

/** The plain settings of `ENV`. The link keys are never one of them on AWS: they are read from Secrets Manager. */
export type Setting = Exclude<keyof typeof ENV, 'linkKeys'>;

/** Where mail is sent from: the domain identity and the configuration set every message names. */
export interface MailSending {
  readonly identityArn: string;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
}

export interface FollowthroughFunctionProps {
  readonly handler: HandlerName;
  readonly description: string;
  readonly logLevel: string;
  /** Only the settings this function reads; everything else it is given through a `bind…` method. */
  readonly settings?: Partial<Record<Setting, string>>;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly reservedConcurrentExecutions?: number;
  /**
   * For functions invoked asynchronously (SES, SNS, Scheduler): how long and how often Lambda retries an event.
   * An event that still fails goes to the function's own encrypted failure queue, which is alarmed.
   */
  readonly async?: { readonly maxEventAge: Duration; readonly retryAttempts: number };
}

/**
 * A function's asset, built on this machine by infra/bundle-handler.ts (esbuild's JS API with code splitting, which
 * `NodejsFunction` cannot do: it bundles to one file). `handler` is part of what the CDK serialises into the asset's
 * cache key, so two functions never share one asset.
 */
class LocalHandlerBundling implements ILocalBundling {
  constructor(readonly handler: HandlerName) {}

  tryBundle(outputDir: string): boolean {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'infra', 'bundle-handler.ts'), this.handler, outputDir],
      { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (run.status !== 0) throw new Error(`bundling ${this.handler} failed (exit ${run.status ?? run.signal})`);
    return true;
  }
}

export function handlerBundling(handler: HandlerName): BundlingOptions {
  // The image is never pulled: local bundling either succeeds or throws, so Docker is never asked.
  return { image: DockerImage.fromRegistry('local-bundling-only'), local: new LocalHandlerBundling(handler) };
}

/**
 * One Lambda of ours, with the defaults every one of them shares (Node 22 on ARM, local esbuild bundling as ESM
 * with code splitting and source maps, a log group with retention, Powertools settings) and methods that give it an
 * environment variable and the permission that goes with it together, so that a function holds exactly what it reads.
 */
export class FollowthroughFunction extends Construct {
  readonly lambda: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly failureQueue: Queue | undefined;

  constructor(scope: Construct, id: string, props: FollowthroughFunctionProps) {
    super(scope, id);
    // An explicit log group instead of `logRetention`, which would deploy a helper Lambda just to set retention.
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);
    this.failureQueue = props.async ? deadLetterQueue(this, 'FailureQueue') : undefined;

    this.lambda = new LambdaFunction(this, 'Function', {
      // The source is the repository, as NodejsFunction's is; only the build's output is hashed and deployed.
      code: Code.fromAsset(projectRoot, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: handlerBundling(props.handler),
      }),
      handler: `${handlerFile.replace(/\.mjs$/, '')}.handler`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'followthrough',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        // Stack traces point at the TypeScript source instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      ...(props.async && this.failureQueue
        ? {
            maxEventAge: props.async.maxEventAge,
            retryAttempts: props.async.retryAttempts,
            onFailure: new SqsDestination(this.failureQueue),
          }
        : {}),
    });
    for (const [key, value] of Object.entries(props.settings ?? {}) as Array<[Setting, string]>) {
      this.lambda.addEnvironment(ENV[key], value);
    }

    Validations.of(this.lambda).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is chosen on purpose: the bundles target node22 and the toolchain is verified against it; moving to a newer runtime is its own change, tested on its own.',
    });
  }

  /** The application table and its two indexes (config/table.ts). */
  bindTable(table: TableV2): void {
    this.lambda.addEnvironment(ENV.tableName, table.tableName);
    this.grantItems(
      table,
      globalIndexes.map((index) => index.name),
    );
  }

  /** The Powertools Idempotency table, where a repeated event finds the outcome of its first run. */
  bindIdempotencyTable(table: TableV2): void {
    this.setAwsSetting('idempotencyTable', table.tableName);
    this.grantItems(table, []);
  }

  bindSecret(key: 'linkKeysSecret' | 'webhookSecret', secret: Secret): void {
    this.setAwsSetting(key, secret.secretArn);
    secret.grantRead(this.role);
  }

  /**
   * The raw-mail bucket, by key prefix: SES writes inbound mail under `inbound/`, the functions keep what they
   * ingested under `raw/`. A function reads only what it must and writes only its own prefix.
   */
  bindRawMail(bucket: Bucket, access: { readonly readInbound: boolean }): void {
    this.setAwsSetting('rawMailBucket', bucket.bucketName);
    const raw = bucket.arnForObjects('raw/*');
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [raw] }));
    const prefixes = [raw];
    if (access.readInbound) {
      this.setAwsSetting('inboundPrefix', 'inbound/');
      const inbound = bucket.arnForObjects('inbound/*');
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [inbound] }));
      prefixes.push(inbound);
    }
    acknowledgeWildcards(
      this.role,
      prefixes,
      'Object keys are message ids and content hashes, unknown in advance: the grant is one key prefix of the raw-mail bucket.',
    );
  }

  /** SendRawEmail (so our own headers go out) from the domain identity, through the configuration set. */
  bindMailSending(mail: MailSending): void {
    this.setAwsSetting('sesConfigurationSet', mail.configurationSetName);
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: [mail.identityArn, mail.configurationSetArn],
      }),
    );
  }

  /**
   * The Bedrock extractor on one model: Converse needs bedrock:InvokeModel on the model, and nothing else. An
   * inference profile routes each request to its model in any region of its geography, so it needs the profile and
   * the model in every region (see bedrockModelArns).
   */
  bindBedrockModel(modelId: string): void {
    this.lambda.addEnvironment(EXTRACTOR_ENV.extractor, 'bedrock');
    this.lambda.addEnvironment(EXTRACTOR_ENV.bedrockModelId, modelId);
    const resources = bedrockModelArns(Stack.of(this), modelId);
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['bedrock:InvokeModel'], resources }));
    acknowledgeWildcards(
      this.role,
      resources.filter((arn) => arn.includes(':*:')),
      'A cross-region inference profile sends each request to the model in whichever region of its geography has capacity, and the caller must be allowed the model there: the wildcard is the region of this one model, nothing else.',
    );
  }

  setAwsSetting(key: AwsSetting, value: string): void {
    this.lambda.addEnvironment(AWS_ENV[key], value);
  }

  /**
   * Item reads and writes on the table and the named indexes, nothing else: no Scan (every read path is a Query) and
   * no table administration. Named index ARNs rather than `index/*`, so the policy holds no wildcard.
   */
  private grantItems(table: TableV2, indexNames: readonly string[]): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: itemActions,
        resources: [table.tableArn, ...indexNames.map((name) => `${table.tableArn}/index/${name}`)],
      }),
    );
  }
}
