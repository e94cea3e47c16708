// API Gateway HTTP API (payload format 2.0) events and a Lambda context, as the Lambda runtime hands
// them to a handler: shared by the cold-start runner (a plain-JS child process) and
// `bench:join -- --transport lambda`. Plain JavaScript so the runner needs no TypeScript loader;
// types in http-api-event.d.mts.

const HOST = 'bench.execute-api.ap-east-1.amazonaws.com';

/**
 * One request as API Gateway delivers it: header names lowercased (HTTP API does), cookies apart,
 * the query string raw and parsed, the body a string (base64 only for binary bodies).
 * @param {{ method?: string, path: string, query?: string, headers?: Record<string, string>, body?: string, requestId?: string, sourceIp?: string, now?: Date }} request
 */
export function httpApiEvent(request) {
  const method = (request.method ?? 'GET').toUpperCase();
  const time = request.now ?? new Date();
  const requestId = request.requestId ?? 'bench-request';
  const sourceIp = request.sourceIp ?? '127.0.0.1';
  /** @type {Record<string, string>} */
  const headers = {
    host: HOST,
    'user-agent': 'bench',
    'x-forwarded-for': sourceIp,
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    accept: 'application/json',
    'x-amzn-trace-id': `Root=1-${Math.floor(time.getTime() / 1000).toString(16)}-${requestId.padEnd(24, '0').slice(0, 24)}`,
  };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  const rawQueryString = request.query ?? '';
  /** @type {Record<string, unknown>} */
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'bench',
      domainName: HOST,
      domainPrefix: 'bench',
      http: { method, path: request.path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'bench' },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: time.toISOString(),
      timeEpoch: time.getTime(),
    },
    isBase64Encoded: false,
  };
  if (rawQueryString) {
    /** @type {Record<string, string>} */
    const params = {};
    // HTTP API joins repeated parameters with commas.
    for (const [k, v] of new URLSearchParams(rawQueryString)) params[k] = k in params ? `${params[k]},${v}` : v;
    event.queryStringParameters = params;
  }
  if (request.body !== undefined) event.body = request.body;
  return event;
}

/** A Lambda context object (the fields the runtime sets; the callbacks are the legacy ones, no-ops). */
export function lambdaContext(requestId = 'bench-request') {
  return {
    awsRequestId: requestId,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:bench',
    memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/bench',
    logStreamName: '2026/01/01/[$LATEST]bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done() {},
    fail() {},
    succeed() {},
  };
}
