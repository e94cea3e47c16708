// Child process of `npm run bench:coldstart`: import a bundled handler the way the Lambda runtime
// does (ES module import), answer one API Gateway HTTP API v2 event, print one JSON line, exit.
// argv: <bundle> <request>: a path ("/health") or a JSON request ({"method", "path", "headers", "body"}).
import { pathToFileURL } from 'node:url';
import { httpApiEvent, lambdaContext } from './http-api-event.mjs';

const [bundle, spec = '/health'] = process.argv.slice(2);
// performance.now() counts from performance.timeOrigin, i.e. from the start of this process.
const started = performance.now();

const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();

const request = spec.startsWith('{') ? JSON.parse(spec) : { path: spec };
const response = await mod.handler(httpApiEvent({ ...request, requestId: 'bench-request' }), lambdaContext('bench-request'));
const answered = performance.now();
const cpu = process.cpuUsage();
const line = { bench: true, status: response?.statusCode, started, imported, answered, cpu: (cpu.user + cpu.system) / 1000 };
// A wrong answer is a failed run, not a fast one: the parent prints the body.
if (response?.statusCode >= 300) line.body = String(response.body).slice(0, 300);
process.stdout.write(`${JSON.stringify(line)}\n`);
process.exit(0);
