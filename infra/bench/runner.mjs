// Child process of `npm run bench:coldstart`: import a bundled handler the way the Lambda runtime
// does (ES module import), answer one API Gateway HTTP API v2 event, print one JSON line, exit.
import { pathToFileURL } from 'node:url';

const [bundle, path = '/health'] = process.argv.slice(2);
// performance.now() counts from performance.timeOrigin, i.e. from the start of this process.
const started = performance.now();

const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();

const time = new Date();
const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: {
    host: 'bench.execute-api.ap-east-1.amazonaws.com',
    'user-agent': 'coldstart-bench',
    'x-forwarded-for': '127.0.0.1',
    'x-forwarded-proto': 'https',
    accept: 'application/json',
  },
  requestContext: {
    accountId: '123456789012',
    apiId: 'bench',
    domainName: 'bench.execute-api.ap-east-1.amazonaws.com',
    domainPrefix: 'bench',
    http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'coldstart-bench' },
    requestId: 'bench-request',
    routeKey: '$default',
    stage: '$default',
    time: time.toISOString(),
    timeEpoch: time.getTime(),
  },
  isBase64Encoded: false,
};
const context = {
  awsRequestId: 'bench-request',
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:bench',
  memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done() {},
  fail() {},
  succeed() {},
};

const response = await mod.handler(event, context);
const answered = performance.now();
process.stdout.write(`${JSON.stringify({ bench: true, status: response?.statusCode, started, imported, answered })}\n`);
process.exit(0);
