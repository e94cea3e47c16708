import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_ENTRIES, REPO_ROOT } from '../../infra/bundling.js';
import { ENTRIES } from './helpers.js';

/**
 * `npm run synth` end to end, the way CI and operators run it: the CDK CLI, cdk.json, infra/app.ts,
 * local esbuild bundling (no Docker), cdk-nag as a synth-time gate, telemetry and version checks off,
 * no AWS credentials.
 */
let outdir: string;
let result: ReturnType<typeof spawnSync>;
let synthEnv: NodeJS.ProcessEnv;

// Until functions/*/handler.ts exist, point the app at the stand-ins (context overrides).
const entryContext = [
  ...(existsSync(LAMBDA_ENTRIES.api) ? [] : ['-c', `apiEntry=${ENTRIES.api}`]),
  ...(existsSync(LAMBDA_ENTRIES.sweep) ? [] : ['-c', `sweepEntry=${ENTRIES.sweep}`]),
];

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'cdk-synth-'));
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_') || key.startsWith('CDK_DEFAULT_')) delete env[key];
  synthEnv = { ...env, AWS_EC2_METADATA_DISABLED: 'true' };
  result = spawnSync('npm', ['run', '--silent', 'synth', '--', '-o', outdir, '-c', 'stage=prod', ...entryContext], {
    cwd: REPO_ROOT,
    env: synthEnv,
    encoding: 'utf8',
    timeout: 180_000,
  });
}, 200_000);

describe('npm run synth', () => {
  it('exits 0', () => {
    expect(result.error).toBeUndefined();
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('writes the stage template with the table, the functions and the API', () => {
    const template = JSON.parse(readFileSync(path.join(outdir, 'Tuangou-prod.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::ApiGatewayV2::Api']));
  });

  it('ran cdk-nag with nothing to report', () => {
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { conclusion: string; violations: unknown[] }[];
    };
    for (const plugin of report.pluginReports) expect(plugin.violations).toEqual([]);
  });

  it('bundled each function into a code-split ES module with linked source maps (the API also with its docs assets)', () => {
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets).toHaveLength(3);
    const withDocs: string[] = [];
    for (const asset of assets) {
      const files = readdirSync(path.join(outdir, asset)).sort();
      if (files.includes('docs-assets')) {
        withDocs.push(asset);
        expect(readdirSync(path.join(outdir, asset, 'docs-assets')).sort()).toEqual(['swagger-ui-bundle.js', 'swagger-ui.css']);
      }
      expect(files.filter((f) => f !== 'docs-assets' && f !== 'chunks')).toEqual(['index.mjs', 'index.mjs.map']);
      const code = readFileSync(path.join(outdir, asset, 'index.mjs'), 'utf8');
      // Chunks are what index.mjs imports, each with its own map.
      const chunks = files.includes('chunks') ? readdirSync(path.join(outdir, asset, 'chunks')) : [];
      for (const chunk of chunks.filter((f) => f.endsWith('.mjs'))) expect(chunks).toContain(`${chunk}.map`);
      if (files.includes('docs-assets')) expect(chunks.length).toBeGreaterThan(2);
      expect(code).toMatch(/sourceMappingURL=index\.mjs\.map\s*$/);
      expect(code).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/);
    }
    // Only the API serves /docs: the sweep and the worker carry no copy.
    expect(withDocs).toHaveLength(1);
  });

  it('-c wechatPay=true without a notify URL or custom domain fails, naming -c wechatPayNotifyUrl', () => {
    const failed = spawnSync(
      'npm',
      ['run', '--silent', 'synth', '--', '-o', mkdtempSync(path.join(tmpdir(), 'cdk-synth-')), '-c', 'wechatPay=true', ...entryContext],
      { cwd: REPO_ROOT, env: synthEnv, encoding: 'utf8', timeout: 120_000 },
    );
    expect(failed.error).toBeUndefined();
    expect(failed.status).not.toBe(0);
    expect(`${failed.stdout}\n${failed.stderr}`).toMatch(/-c wechatPayNotifyUrl=https:\/\/.*\/payments\/wechat\/notify/);
  }, 150_000);
});
