import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { GSI_BY_OWNER, GSI_DUE, KEY, keyAttributeNames, TABLE_SCHEMA, TTL_ATTRIBUTE } from '../../shared/table/schema.js';
import { resourcesOfType, type Synthesized, synthStack } from './helpers.js';

let prod: Synthesized;
let dev: Synthesized;

beforeAll(() => {
  prod = synthStack('prod');
  dev = synthStack('dev');
}, 120_000);

const keySchema = (partitionKey: string, sortKey: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  { AttributeName: sortKey, KeyType: 'RANGE' },
];

function theTable(template: Template) {
  const tables = resourcesOfType(template, 'AWS::DynamoDB::Table');
  expect(tables).toHaveLength(1);
  return tables[0]![1];
}

describe('DynamoDB table', () => {
  it('is the only table, and has no global-table twin', () => {
    prod.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    prod.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
  });

  it('has the key schema from shared/table/schema.ts', () => {
    const props = theTable(prod.template).Properties!;
    expect(props.KeySchema).toEqual(keySchema(TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey));
    expect(props.KeySchema).toEqual(keySchema(KEY.pk, KEY.sk));
  });

  it('defines every key attribute, all strings, and nothing else', () => {
    const props = theTable(prod.template).Properties!;
    const defined = (props.AttributeDefinitions as { AttributeName: string; AttributeType: string }[]).map((a) => a.AttributeName);
    expect([...defined].sort()).toEqual([...keyAttributeNames()].sort());
    for (const attribute of props.AttributeDefinitions) expect(attribute.AttributeType).toBe('S');
  });

  it('has exactly the global secondary indexes of the schema, projecting ALL', () => {
    const props = theTable(prod.template).Properties!;
    const expected = TABLE_SCHEMA.globalIndexes.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    }));
    expect(props.GlobalSecondaryIndexes).toEqual(expected);
    // The access patterns the application relies on are among them.
    const names = (props.GlobalSecondaryIndexes as { IndexName: string }[]).map((i) => i.IndexName);
    expect(names).toEqual(expect.arrayContaining([GSI_BY_OWNER.name, GSI_DUE.name]));
  });

  it('has no local secondary index: entries are keyed by their number, so the base table lists them in order', () => {
    const props = theTable(prod.template).Properties!;
    expect(TABLE_SCHEMA.localIndexes).toEqual([]);
    expect(props.LocalSecondaryIndexes).toBeUndefined();
  });

  it.each(['prod', 'dev'] as const)('%s: on-demand, point-in-time recovery, TTL, KMS encryption', (stage) => {
    const { template } = stage === 'prod' ? prod : dev;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      SSESpecification: { SSEEnabled: true },
      ProvisionedThroughput: Match.absent(),
    });
  });

  it('prod: retained on delete and replace, deletion protection on', () => {
    prod.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });

  it('dev: destroyed with the stack, no deletion protection', () => {
    dev.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
  });

  it('outputs the table name', () => {
    const tableRef = prod.resolve(prod.stack.data.table.tableName);
    prod.template.hasOutput('TableName', { Value: tableRef });
  });
});
