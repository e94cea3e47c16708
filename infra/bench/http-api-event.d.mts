import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface BenchRequest {
  method?: string;
  path: string;
  /** the raw query string, without '?' */
  query?: string;
  headers?: Record<string, string>;
  body?: string;
  requestId?: string;
  sourceIp?: string;
  now?: Date;
}

export function httpApiEvent(request: BenchRequest): APIGatewayProxyEventV2;
export function lambdaContext(requestId?: string): Context;
