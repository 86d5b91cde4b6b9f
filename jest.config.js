/**
 * Two projects: `unit` (pure functions, no I/O) and `integration` (real HTTP servers on 127.0.0.1
 * and a real PostgreSQL: in-memory PGlite by default, the server in TEST_DATABASE_URL when set).
 * PGlite needs NODE_OPTIONS=--experimental-vm-modules inside Jest; the npm scripts set it.
 */
const transform = {
  '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};
const moduleNameMapper = { '^@cityloop/shared$': '<rootDir>/shared/src/index.ts' };

/** @type {import('jest').Config} */
module.exports = {
  // Integration suites boot databases and child processes; this bounds a hang, it does not time anything.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
    },
  ],
};
