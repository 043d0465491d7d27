/**
 * Layer boundaries (STYLE.md): cli -> core -> adapters, config resolves connections.
 * `npm run lint:layers` checks them; test/lint/lint-rules.test.ts plants a violation of each.
 */
const engines = '(postgres|mysql|mssql|sqlite)';

/**
 * What src/cli may import from src/core at runtime: the shared vocabulary (errors, plural, time,
 * identifiers, suggested-command hints, name and flag parsers, the *-types modules, and the pure
 * result -> document function verify's renderers share). Everything that opens a database or runs
 * work is reached through src/api. `import type` of any core module is fine.
 */
const cliVocabulary = [
  '^src/core/(errors|plural|time|identifiers)\\.ts$',
  '^src/core/hints/',
  '^src/core/[^/]+/[^/]+-types\\.ts$',
  '^src/core/verify/(verify-names|verification-document)\\.ts$',
  '^src/core/copy/cast-spec\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'nothing-imports-cli',
      comment: 'The CLI is the outermost layer: only bin/ reaches it.',
      severity: 'error',
      from: { path: '^src/(?!cli/)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'cli-reaches-core-through-api',
      comment:
        'The CLI is a thin layer over the library API (issue 13): from core it imports only the shared ' +
        'vocabulary; opening databases and running work go through src/api. serve is the one exception ' +
        'while it has no library API (the rule below).',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: '^src/cli/commands/serve-command\\.ts$' },
      to: { path: '^src/core/', pathNot: cliVocabulary, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'serve-command-reaches-only-serve',
      comment: 'dmr serve starts core/serve directly until it has a library API; nothing else of core.',
      severity: 'error',
      from: { path: '^src/cli/commands/serve-command\\.ts$' },
      to: { path: '^src/core/', pathNot: [...cliVocabulary, '^src/core/serve/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-not-into-cli',
      comment: 'core returns results and emits events; it never renders or exits.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'adapters-not-into-core',
      comment: 'adapters are the bottom layer: they know SQL, not the runner, doctor or verify.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(core|cli)/' },
    },
    {
      name: 'engine-folders-only-from-adapters',
      comment: 'One Dialect per engine: nothing outside src/adapters imports an engine folder.',
      severity: 'error',
      from: { path: '^src/(?!adapters/)' },
      to: { path: `^src/adapters/${engines}/` },
    },
    {
      name: 'heartbeat-worker-stays-slim',
      comment:
        'The heartbeat thread loads only its engine client and driver: knex, the registry of dialects and the ' +
        'status stores would cost its isolate tens of MB (issue 14). The runner compiles its statements.',
      severity: 'error',
      from: { path: '^src/(core/runner/heartbeat-worker|adapters/[^/]+/[^/]+-heartbeat-client)\\.ts$' },
      to: {
        path: ['(^|/)node_modules/knex/', '^src/adapters/dialects\\.ts$', '^src/core/(status/|database\\.ts$)'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles hide which layer owns what.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-orphans',
      comment: 'A file nothing imports is dead code (entry points excepted).',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: ['^src/index\\.ts$', '\\.d\\.ts$'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
