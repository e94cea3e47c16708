/**
 * `node --import tsx infra/bundle-cli.ts <entry> <outdir> [files-json]`: bundleLambda in a process of
 * its own, for CDK's synchronous local bundling (infra/bundling.ts bundleLambdaSync).
 */
import { type BundleFile, bundleLambda } from './bundling.js';

const [entry, outdir, files = '[]'] = process.argv.slice(2);
if (!entry || !outdir) {
  console.error('usage: bundle-cli <entry> <outdir> [files-json]');
  process.exit(2);
}
await bundleLambda(entry, outdir, JSON.parse(files) as BundleFile[]);
