import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodesByStatus } from '../../functions/error-codes.js';
import { apiDocument } from '../../functions/local/api-document.js';
import { CLIENT_TYPES_PATH, clientTypes } from '../../functions/local/client-types.js';

/**
 * The served /openapi.json as client generators read it (every optional route group on): redocly's
 * recommended rules pass, requests carry no defaults, every operation says its security, every
 * response its request id, every error body its codes; and the committed client types are its.
 */
let doc: any;
let dir: string;

beforeAll(async () => {
  // As deployed, servers[0] is the API's own origin (a .test host stands for it: localhost is a lint warning).
  doc = await apiDocument('https://api.tuangou.test');
  dir = await mkdtemp(join(tmpdir(), 'openapi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
  );

describe('/openapi.json for client generators', () => {
  it('passes redocly’s recommended rules with no errors', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const { stdout } = await promisify(execFile)(
      join(process.cwd(), 'node_modules/.bin/redocly'),
      ['lint', '--extends', 'recommended', '--format', 'json', file],
      // No telemetry, no update check: the run is offline and the same every time.
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ ruleId: string; severity: string }>;
    };
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    // The one warning left: info-license (a private API; its licence is not this document's to invent).
    expect(report.problems.map((p) => p.ruleId)).toEqual(['info-license']);
  });

  it('no schema a request body reaches carries a default (generators would make the field required)', () => {
    const inputs = new Set<string>();
    const visit = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const r = (node as { $ref?: string }).$ref;
        if (r?.startsWith('#/components/schemas/') && !inputs.has(r.slice(21))) {
          inputs.add(r.slice(21));
          visit(doc.components.schemas[r.slice(21)]);
        }
        Object.values(node).forEach(visit);
      }
    };
    for (const { op } of operations()) visit(op.requestBody);
    expect(inputs).toContain('CreateCampaign');
    for (const name of inputs) expect(JSON.stringify(doc.components.schemas[name]), name).not.toMatch(/"default":/);
    // Said in words instead.
    expect(doc.components.schemas.BlockRequest.properties.cancelEntries.description).toMatch(/default/);
  });

  it('every operation declares its security: the bearer, an optional bearer on public reads, none for logins and WeChat', () => {
    const security = Object.fromEntries(operations().map(({ name, op }) => [name, op.security]));
    for (const [name, value] of Object.entries(security)) expect(value, name).toBeDefined();
    expect(security['GET /campaigns/{id}']).toEqual([{}, { bearerAuth: [] }]);
    expect(security['GET /campaigns/{id}/entries']).toEqual([{}, { bearerAuth: [] }]);
    expect(security['GET /s/{shareCode}']).toEqual([{}, { bearerAuth: [] }]);
    expect(security['POST /campaigns']).toEqual([{ bearerAuth: [] }]);
    for (const name of ['POST /auth/wechat', 'POST /auth/refresh', 'POST /payments/wechat/notify', 'POST /wechat/push']) {
      expect(security[name], name).toEqual([]);
    }
  });

  it('every response carries X-Request-Id; joins Idempotent-Replayed; 429 and 503 Retry-After; error codes are enums of the status', () => {
    const catalog = errorCodesByStatus();
    for (const { name, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
        expect(response.headers?.['X-Request-Id'], `${name} ${status}`).toBeDefined();
        if (status === '429' || status === '503') expect(response.headers['Retry-After'], `${name} ${status}`).toBeDefined();
        const schema = response.content?.['application/json']?.schema;
        if (Number(status) < 400 || !schema?.$ref?.startsWith('#/components/schemas/Error')) continue;
        const codes = doc.components.schemas[schema.$ref.slice(21)].properties.error.properties.code.enum as string[];
        expect(codes.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const code of codes) expect(catalog.get(Number(status)), `${name} ${status}`).toContain(code);
      }
    }
    const join = doc.paths['/campaigns/{id}/entries'].post.responses;
    expect(join['201'].headers['Idempotent-Replayed']).toMatchObject({ required: false });
    expect(
      doc.components.schemas[join['409'].content['application/json'].schema.$ref.slice(21)].properties.error.properties.code.enum,
    ).toEqual(expect.arrayContaining(['SOLD_OUT', 'ALREADY_JOINED', 'LIMIT_EXCEEDED', 'CAMPAIGN_NOT_OPEN']));
  });

  it('shared/client/api-types.ts is what npm run client:generate makes of it now (not stale)', async () => {
    const committed = await readFile(CLIENT_TYPES_PATH, 'utf8');
    expect(committed === (await clientTypes()), 'shared/client/api-types.ts is stale: run npm run client:generate').toBe(true);
  });
});
