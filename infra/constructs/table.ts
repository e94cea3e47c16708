import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../shared/table/schema.js';

/**
 * Every DynamoDB action the application code issues. Transactions are authorised per contained
 * action (Put/Update/Delete/ConditionCheck), `dynamodb:TransactWriteItems` is listed as well so the
 * policy reads like the code. Never `dynamodb:*`.
 */
export const TABLE_DATA_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:TransactWriteItems',
  'dynamodb:ConditionCheckItem',
] as const;

export interface DataTableProps {
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

/**
 * The single table, built from `shared/table/schema.ts` (the one definition of keys and
 * indexes): on-demand, point-in-time recovery, TTL, encrypted with the AWS managed KMS key.
 *
 * `Table` (AWS::DynamoDB::Table) rather than `TableV2` (AWS::DynamoDB::GlobalTable): its properties
 * map one to one onto the CreateTable API, so tests can create the very same table in DynamoDB
 * Local from the synthesized template.
 */
export class DataTable extends Construct {
  readonly table: dynamodb.Table;
  /** Names of every secondary index (local and global), in schema order. */
  readonly indexNames: readonly string[];

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);

    const str = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: str(TABLE_SCHEMA.partitionKey),
      sortKey: str(TABLE_SCHEMA.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });

    for (const index of TABLE_SCHEMA.localIndexes) {
      if (index.partitionKey !== TABLE_SCHEMA.partitionKey) {
        throw new Error(`local index ${index.name} must share the table partition key ${TABLE_SCHEMA.partitionKey}`);
      }
      this.table.addLocalSecondaryIndex({
        indexName: index.name,
        sortKey: str(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    for (const index of TABLE_SCHEMA.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: str(index.partitionKey),
        sortKey: str(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    this.indexNames = [...TABLE_SCHEMA.localIndexes, ...TABLE_SCHEMA.globalIndexes].map((index) => index.name);
  }

  /** ARNs of the table and of each of its indexes, named one by one (no `index/*`). */
  get resourceArns(): string[] {
    return [this.table.tableArn, ...this.indexNames.map((name) => `${this.table.tableArn}/index/${name}`)];
  }

  /** Least privilege: exactly the data-plane actions the application uses, on this table and its indexes. */
  grantApplicationAccess(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...TABLE_DATA_ACTIONS],
      resourceArns: this.resourceArns,
    });
  }
}
