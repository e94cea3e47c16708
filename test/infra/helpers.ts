import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LAMBDA_ENTRIES, REPO_ROOT } from '../../infra/bundling.js';
import { type StageName, type StageOverrides, stageConfig } from '../../infra/config.js';
import { TuangouStack } from '../../infra/stack.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** The real handlers once they exist, else the stand-ins under test/infra/fixtures. */
export const ENTRIES = {
  api: existsSync(LAMBDA_ENTRIES.api) ? LAMBDA_ENTRIES.api : path.join(FIXTURES, 'api-handler.ts'),
  sweep: existsSync(LAMBDA_ENTRIES.sweep) ? LAMBDA_ENTRIES.sweep : path.join(FIXTURES, 'sweep-handler.ts'),
  worker: LAMBDA_ENTRIES.worker,
};

/** Feature flags and defaults from cdk.json, so tests synthesize what `npm run synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export interface Synthesized {
  readonly app: App;
  readonly stack: TuangouStack;
  readonly template: Template;
  /** Resolve a token (e.g. `stack.data.table.tableArn`) the way it appears in the template. */
  resolve(value: unknown): unknown;
}

export interface SynthOptions {
  /**
   * Run esbuild for the functions. Off by default: template assertions do not look inside the code,
   * and synth.test.ts bundles the real handlers through `npm run synth`.
   */
  readonly bundle?: boolean;
}

/**
 * Build one stage's stack into a temporary cloud assembly directory. Call it once per test file and
 * stage (in `beforeAll`).
 */
export function synthStack(stage: StageName, overrides: StageOverrides = {}, options: SynthOptions = {}): Synthesized {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'cdk-test-')),
    context: {
      ...cdkJsonContext(),
      // An empty list means "bundle no stack" (cx-api BUNDLING_STACKS).
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stack = new TuangouStack(app, `Tuangou-${stage}`, {
    config: stageConfig(stage, overrides),
    entries: ENTRIES,
    env: { account: '123456789012', region: 'ap-east-1' },
  });
  const template = Template.fromStack(stack);
  return { app, stack, template, resolve: (value) => Stack.of(stack).resolve(value) };
}

/** All resources of a type, as [logicalId, resource] pairs. */
export function resourcesOfType(template: Template, type: string): [string, { Properties?: Record<string, any>; [k: string]: any }][] {
  return Object.entries(template.findResources(type));
}
