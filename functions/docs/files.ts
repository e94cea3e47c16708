/**
 * Which files of the installed swagger-ui-dist (pinned exactly in package.json) the API reference
 * serves, and where the Lambda bundle keeps them. No imports: infra/ reads these at synth time to
 * copy the files beside index.mjs, and the app reads them at run time.
 */
export const DOCS_PACKAGE = 'swagger-ui-dist';
export const DOCS_PACKAGE_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;
/** A folder beside the bundle's index.mjs (infra/constructs/function.ts copies the files there). */
export const BUNDLED_DOCS_DIR = 'docs-assets';
