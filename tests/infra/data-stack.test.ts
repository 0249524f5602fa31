import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableDefinition } from '../../functions/config/table';
import { DataStack } from '../../infra/stacks/data-stack';
import { synthesizeApp } from './support/synth';
import { resourceOf, resourcesOfType } from './support/template';

const { data, dataTemplate: template } = synthesizeApp();
const table = resourceOf(template, data.table);
const idempotencyTable = resourceOf(template, data.idempotencyTable);
const bucket = resourceOf(template, data.rawMailBucket);

describe('DataStack', () => {
  it('defines the same keys and indexes as the table the store uses locally', () => {
    const local = tableDefinition('followthrough');

    expect(table.Properties?.KeySchema).toEqual(local.KeySchema);
    expect(table.Properties?.AttributeDefinitions).toEqual(expect.arrayContaining(local.AttributeDefinitions ?? []));
    expect(
      ((table.Properties?.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown }>).map(
        (i) => ({
          IndexName: i.IndexName,
          KeySchema: i.KeySchema,
        }),
      ),
    ).toEqual(local.GlobalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema })));
  });

  it.each([
    ['application table', table, 'expiresAt'],
    ['idempotency table', idempotencyTable, 'expiration'],
  ])('bills the %s on demand, with PITR, encryption, TTL on %s, retained on deletion', (_name, resource, ttl) => {
    expect(resource.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(resource.Properties?.Replicas).toEqual([
      expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    ]);
    expect(resource.Properties?.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(resource.Properties?.TimeToLiveSpecification).toEqual({ AttributeName: ttl, Enabled: true });
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  it("keys the idempotency table as Powertools' DynamoDBPersistenceLayer expects: id, a string", () => {
    expect(idempotencyTable.Properties?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(idempotencyTable.Properties?.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
  });

  it('encrypts raw mail with S3-managed keys, blocks public access and retains the bucket', () => {
    expect(bucket.Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('denies every request to either bucket that does not use TLS', () => {
    const buckets = resourcesOfType(template, 'AWS::S3::Bucket').map(([id]) => id);
    expect(buckets).toHaveLength(2);
    for (const id of buckets) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] }],
            }),
          ]),
        },
      });
    }
  });

  it('expires inbound and kept raw mail after the default retention of 365 days', () => {
    expect(bucket.Properties?.LifecycleConfiguration).toEqual({
      Rules: [
        { Prefix: 'inbound/', ExpirationInDays: 365, Status: 'Enabled' },
        { Prefix: 'raw/', ExpirationInDays: 365, Status: 'Enabled' },
      ],
    });
  });

  it('takes the retention from its props', () => {
    const stack = new DataStack(new App(), 'Data', { rawMailRetentionDays: 30 });

    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([{ Prefix: 'raw/', ExpirationInDays: 30, Status: 'Enabled' }]) },
    });
  });

  it('lets SES write inbound mail, and nothing else, into the bucket', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            Resource: { 'Fn::Join': ['', [Match.anyValue(), '/inbound/*']] },
          }),
        ]),
      },
    });
  });

  it('logs access to raw mail in a separate bucket', () => {
    expect(bucket.Properties?.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: expect.stringMatching(/^AccessLogsBucket/) },
      LogFilePrefix: 'raw-mail/',
    });
  });

  it('suppresses bounced and complaining addresses in the configuration set, with reputation metrics on', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('retains the schedule group, which holds every pending schedule', () => {
    expect(resourceOf(template, data.scheduleGroup).DeletionPolicy).toBe('Retain');
  });

  it('generates the link key as {"keyId":"k1","secret":<64 characters>} and the webhook secret as 48 characters', () => {
    expect(resourceOf(template, data.linkKeysSecret).Properties?.GenerateSecretString).toEqual({
      SecretStringTemplate: '{"keyId":"k1"}',
      GenerateStringKey: 'secret',
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(resourceOf(template, data.webhookSecret).Properties?.GenerateSecretString).toEqual({
      PasswordLength: 48,
      ExcludePunctuation: true,
    });
  });

  it('retains both secrets: a new link key would break every link already mailed', () => {
    for (const secret of [data.linkKeysSecret, data.webhookSecret]) {
      expect(resourceOf(template, secret).DeletionPolicy).toBe('Retain');
    }
  });
});
