import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lambdaBuildOptions, REPO_ROOT, zodOpenApiOwnsZ } from '../../infra/bundling.js';

/**
 * The shape that broke the API's code-split bundle at load: a module that takes only `z` from
 * @hono/zod-openapi and calls `.openapi()` at import, in a chunk of its own, while something else
 * uses plain zod (so zod and @hono/zod-openapi land in different chunks). Inside node_modules so
 * that the fixture resolves the installed packages.
 */
const DIR = path.join(REPO_ROOT, 'node_modules/.cache', `zod-openapi-order-${randomUUID().slice(0, 8)}`);
const FILES: Record<string, string> = {
  'schema.ts': "import { z } from '@hono/zod-openapi';\nexport const S = z.string().openapi({ description: 'described' });\n",
  'app.ts': "import { OpenAPIHono } from '@hono/zod-openapi';\nexport const make = () => new OpenAPIHono();\n",
  'lazy.ts': "import { S } from './schema';\nexport const x = S;\n",
  'lazy2.ts': "import { make } from './app';\nexport const y = make;\n",
  'lazy3.ts': "import { z } from 'zod';\nexport const q = z.number();\n",
  'entry.ts':
    "import { S } from './schema';\nimport { make } from './app';\n" +
    "export const handler = async () => [typeof S.openapi, (await import('./lazy')).x === S, typeof (await import('./lazy2')).y, " +
    "typeof (await import('./lazy3')).q, typeof make];\n",
};

async function bundleAndImport(name: string, withPlugin: boolean) {
  const options = lambdaBuildOptions(path.join(DIR, 'entry.ts'), path.join(DIR, name));
  if (!withPlugin) options.plugins = options.plugins!.filter((p) => p !== zodOpenApiOwnsZ);
  await esbuild.build(options);
  const mod = (await import(pathToFileURL(path.join(DIR, name, 'index.mjs')).href)) as { handler: () => Promise<unknown[]> };
  return mod.handler();
}

afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe('code splitting and @hono/zod-openapi (infra/bundling.ts zodOpenApiOwnsZ)', () => {
  mkdirSync(DIR, { recursive: true });
  for (const [file, text] of Object.entries(FILES)) writeFileSync(path.join(DIR, file), text);

  it('without the plugin the split bundle calls .openapi() before @hono/zod-openapi has added it', async () => {
    await expect(bundleAndImport('without', false)).rejects.toThrow(/openapi is not a function/);
  });

  it('with it, as every function is bundled, the bundle loads and runs', async () => {
    expect(await bundleAndImport('with', true)).toEqual(['function', true, 'function', 'object', 'function']);
  });
});
