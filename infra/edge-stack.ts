import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EdgeStageConfig } from './config.js';
import { EdgeWebAcl } from './constructs/edge-acl.js';

export interface TuangouEdgeStackProps extends StackProps {
  readonly edge: EdgeStageConfig;
}

/**
 * The part of the edge option that AWS requires in us-east-1: the WAF web ACL a CloudFront
 * distribution uses. The stage's main stack reads its ARN through a cross-region reference.
 */
export class TuangouEdgeStack extends Stack {
  readonly webAcl: EdgeWebAcl;

  constructor(scope: Construct, id: string, props: TuangouEdgeStackProps) {
    super(scope, id, props);
    this.webAcl = new EdgeWebAcl(this, 'Waf', props.edge);
    new CfnOutput(this, 'WebAclArn', { value: this.webAcl.acl.attrArn, description: 'AWS WAF web ACL in front of the API' });
  }
}
