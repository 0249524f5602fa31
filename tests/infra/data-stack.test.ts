import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { tableDefinition } from '../../functions/config/table';
import { DataStack } from '../../infra/stacks/data-stack';

describe('DataStack', () => {
  const template = Template.fromStack(new DataStack(new App(), 'Data'));
  const [table] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as Array<{
    Properties: Record<string, unknown>;
    DeletionPolicy: string;
  }>;

  it('defines the same keys and indexes as the table the store uses locally', () => {
    const local = tableDefinition('followthrough');

    expect(table?.Properties.KeySchema).toEqual(local.KeySchema);
    expect(table?.Properties.AttributeDefinitions).toEqual(expect.arrayContaining(local.AttributeDefinitions ?? []));
    expect(
      ((table?.Properties.GlobalSecondaryIndexes ?? []) as Array<{ IndexName: string; KeySchema: unknown }>).map(
        (i) => ({
          IndexName: i.IndexName,
          KeySchema: i.KeySchema,
        }),
      ),
    ).toEqual(local.GlobalSecondaryIndexes?.map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema })));
  });

  it('bills on demand, keeps point-in-time recovery and survives a stack deletion', () => {
    expect(table?.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table?.Properties.Replicas).toEqual([
      expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    ]);
    expect(table?.DeletionPolicy).toBe('Retain');
  });

  it('expires records through the TTL attribute', () => {
    expect(table?.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });
});
