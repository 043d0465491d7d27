/**
 * Layer boundaries (STYLE.md): cli -> core -> adapters, config resolves connections.
 * `npm run lint:layers` checks them; test/lint/lint-rules.test.ts plants a violation of each.
 */
const engines = '(postgres|mysql|mssql|sqlite)';

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
