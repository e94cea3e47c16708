import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface EdgeWebAclProps {
  /** Requests one client IP may make in any 5 minutes before WAF blocks it (WAF's rate-based rule). */
  readonly requestsPerFiveMinutes: number;
  /** Stricter limit for POST /campaigns and the logins (costly writes, cheap for an attacker to repeat). */
  readonly writesPerFiveMinutes: number;
}

const metrics = (name: string) => ({ cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true });

/**
 * AWS WAF in front of the API (scope CLOUDFRONT, so it must be created in us-east-1): per-client
 * rate limits, which API Gateway's stage throttling (one bucket for everyone) cannot give, and
 * AWS's managed lists of known bad inputs and bad IP reputations. A blocked client gets 429.
 */
export class EdgeWebAcl extends Construct {
  readonly acl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    if (props.requestsPerFiveMinutes < 10 || props.writesPerFiveMinutes < 10) throw new Error('WAF rate limits are at least 10');
    const tooMany = { block: { customResponse: { responseCode: 429 } } };
    this.acl = new wafv2.CfnWebACL(this, 'Acl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metrics('tuangou-edge'),
      rules: [
        {
          name: 'per-ip-rate',
          priority: 0,
          action: tooMany,
          statement: { rateBasedStatement: { limit: props.requestsPerFiveMinutes, aggregateKeyType: 'IP' } },
          visibilityConfig: metrics('tuangou-per-ip-rate'),
        },
        {
          name: 'per-ip-writes',
          priority: 1,
          action: tooMany,
          statement: {
            rateBasedStatement: {
              limit: props.writesPerFiveMinutes,
              aggregateKeyType: 'IP',
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    { byteMatchStatement: exact('POST', { method: {} }) },
                    {
                      orStatement: {
                        statements: [
                          { byteMatchStatement: exact('/campaigns', { uriPath: {} }) },
                          { byteMatchStatement: { ...exact('/auth/', { uriPath: {} }), positionalConstraint: 'STARTS_WITH' } },
                        ],
                      },
                    },
                  ],
                },
              },
            },
          },
          visibilityConfig: metrics('tuangou-per-ip-writes'),
        },
        managed('AWSManagedRulesAmazonIpReputationList', 2),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });
  }
}

function exact(value: string, fieldToMatch: wafv2.CfnWebACL.FieldToMatchProperty): wafv2.CfnWebACL.ByteMatchStatementProperty {
  return { searchString: value, fieldToMatch, positionalConstraint: 'EXACTLY', textTransformations: [{ priority: 0, type: 'NONE' }] };
}

function managed(name: string, priority: number): wafv2.CfnWebACL.RuleProperty {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
    visibilityConfig: metrics(`tuangou-${name}`),
  };
}
