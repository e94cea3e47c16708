/**
 * The rules that keep the house (README "Code layout"), checked by `npm test` (`npm run lint:deps`).
 * An aggregate is a folder under shared/; its index.ts is the only file other folders may import.
 */
const PUBLIC_SURFACE = ['^shared/[^/]+/index\\.ts$', '^shared/money/fake/index\\.ts$', '^shared/wechat/fake/index\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lazy-routes-stay-lazy',
      severity: 'error',
      comment:
        'The route modules mounted on first use (functions/lazy-routes.ts) are reached only through its one import() of ' +
        'functions/lazy-route-modules.ts: any static import of either puts them back on the cold start.',
      from: { pathNot: '^functions/lazy-route-modules\\.ts$' },
      to: {
        path: '^functions/routes/(after-sales|blocks|call-off|chat-text|clone|communities|community-members|community-team|content-review|images|messages|payments|referrals|settlement|shortage|wxacode)\\.ts$',
      },
    },
    {
      name: 'lazy-route-modules-imported-dynamically',
      severity: 'error',
      comment: 'functions/lazy-route-modules.ts is loaded with import() only (see lazy-routes-stay-lazy).',
      from: {},
      to: { path: '^functions/lazy-route-modules\\.ts$', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle (type-only imports included) makes load order matter and aggregates inseparable.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'aggregate-internals',
      severity: 'error',
      comment: 'Import another aggregate through its index.ts, never its internal files.',
      from: { path: '^shared/([^/]+)/' },
      to: { path: '^shared/[^/]+/', pathNot: ['^shared/$1/', ...PUBLIC_SURFACE] },
    },
    {
      name: 'edge-uses-public-surface',
      severity: 'error',
      comment: 'The HTTP and Lambda edge (functions/) imports shared/ aggregates through their index.ts only.',
      from: { path: '^functions/' },
      to: { path: '^shared/[^/]+/', pathNot: PUBLIC_SURFACE },
    },
    {
      name: 'shared-not-edge',
      severity: 'error',
      comment: 'shared/ never depends on the HTTP edge or the CDK app.',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra|test)/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'shared/domain is the pure core: no AWS, no HTTP, no storage, no other aggregate.',
      from: { path: '^shared/domain/' },
      to: {
        path: [
          '^node_modules/(@aws-sdk|aws-cdk-lib|hono|@hono|swagger-ui-dist)/',
          '^node:(http|https|net)$',
          '^(http|https|net)$',
          '^shared/(?!domain/|errors\\.ts$)',
        ],
      },
    },
    {
      name: 'table-is-the-floor',
      severity: 'error',
      comment: 'shared/table (schema, keys, records, plumbing) depends on no aggregate above it.',
      from: { path: '^shared/table/' },
      to: { path: '^shared/(?!table/|domain/|errors\\.ts$|clock\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs'],
    },
  },
};
