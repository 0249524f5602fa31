import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { globalIndexes, tableKey, ttlAttribute } from '../../functions/config/table';
import { DEFAULT_RAW_MAIL_RETENTION_DAYS } from '../settings';

export interface DataStackProps extends StackProps {
  /** Days after which raw mail (`inbound/`, `raw/`) and the bucket's access logs expire. */
  readonly rawMailRetentionDays?: number;
}

/** The key prefixes raw mail lives under: SES's S3 action writes `inbound/`, the functions keep `raw/`. */
export const rawMailPrefixes = ['inbound/', 'raw/'] as const;

/**
 * The stateful half: what must survive a redeploy or the deletion of the service stack. Everything here is
 * retained when the stack is deleted. The table's keys and indexes come from the same module the store adapter and
 * the local servers use, so the three cannot drift apart.
 */
export class DataStack extends Stack {
  readonly table: TableV2;
  readonly idempotencyTable: TableV2;
  readonly rawMailBucket: Bucket;
  readonly configurationSet: ConfigurationSet;
  readonly scheduleGroup: ScheduleGroup;
  readonly linkKeysSecret: Secret;
  readonly webhookSecret: Secret;

  constructor(scope: Construct, id: string, props: DataStackProps = {}) {
    super(scope, id, props);
    // The buckets have ACLs disabled (BucketOwnerEnforced), so S3 must deliver access logs under a bucket policy,
    // not the LogDeliveryWrite ACL that CDK uses without this flag; set here so the stack does not depend on cdk.json.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const retentionDays = props.rawMailRetentionDays ?? DEFAULT_RAW_MAIL_RETENTION_DAYS;
    const string = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'Table', {
      partitionKey: string(tableKey.partitionKey),
      sortKey: string(tableKey.sortKey),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: globalIndexes.map((index) => ({
        indexName: index.name,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
      })),
    });

    // Powertools Idempotency's DynamoDBPersistenceLayer defaults: key `id`, expiry in `expiration`. Retained like
    // the table: losing it mid-retry would let a redelivered mail be ingested twice.
    this.idempotencyTable = new TableV2(this, 'IdempotencyTable', {
      partitionKey: string('id'),
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      timeToLiveAttribute: 'expiration',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const expiry = Duration.days(retentionDays);
    const accessLogs = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Access log lines name object keys, which name messages: they expire with the mail they describe.
      lifecycleRules: [{ expiration: expiry }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // SSE-S3, not KMS: SES's S3 action can then write inbound mail without a key policy granting it the key.
    this.rawMailBucket = new Bucket(this, 'RawMailBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // `as IBucket`: the tsconfig's exactOptionalPropertyTypes rejects CDK's own Bucket → IBucket (isWebsite?).
      serverAccessLogsBucket: accessLogs as IBucket,
      serverAccessLogsPrefix: 'raw-mail/',
      lifecycleRules: rawMailPrefixes.map((prefix) => ({ prefix, expiration: expiry })),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Addresses that bounce or complain are suppressed at the configuration-set level as well as by our own
    // delivery-feedback function, so SES never retries them even if our table misses one.
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      sendingEnabled: true,
    });

    // Pending wrap-ups and every weekly digest are schedules in this group: deleting it would silently cancel them.
    this.scheduleGroup = new ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.RETAIN });

    // Every link already mailed is signed with this key; a new one would break all of them, so it is retained.
    this.linkKeysSecret = new Secret(this, 'LinkKeysSecret', {
      description: 'followthrough action-link signing key: {"keyId","secret"}, older keys under "previous"',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ keyId: 'k1' }),
        generateStringKey: 'secret',
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // 48 letters and digits are valid base64 (36 bytes), which is what Standard Webhooks libraries decode a
    // `whsec_` secret as; the sender is configured with it once, so it is retained too.
    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'followthrough notes webhook: Standard Webhooks signing secret (without the whsec_ prefix)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const secret of [this.linkKeysSecret, this.webhookSecret]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated by hand, not by a rotation Lambda: the link key rotates by key id (a new keyId/secret put in front, the old pair kept under "previous" as "id:secret" until its links expire, see functions/aws-wiring.ts), and the webhook secret must change at the sender at the same moment, which a scheduled rotation cannot coordinate.',
      });
    }
    // What the README's deploy steps read: the secret a webhook sender signs with, and the key to rotate.
    new CfnOutput(this, 'WebhookSecretArn', { value: this.webhookSecret.secretArn });
    new CfnOutput(this, 'LinkKeysSecretArn', { value: this.linkKeysSecret.secretArn });
  }
}
