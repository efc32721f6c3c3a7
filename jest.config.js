// Two projects: fast unit tests next to the code, and integration tests against the real
// PostgreSQL, Redis and ONNX Runtime (a fresh database and Redis prefix per run).
const testEnvironment = '<rootDir>/tests/support/onnx-environment.ts';
// A build (npm run build) copies every workspace's package.json into dist/: keep jest out of it.
const modulePathIgnorePatterns = ['<rootDir>/dist/'];
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment,
      transform,
      modulePathIgnorePatterns,
      testMatch: [
        '<rootDir>/{apps,packages,scripts}/**/*.test.ts',
        '<rootDir>/tests/unit/**/*.test.ts',
      ],
    },
    {
      displayName: 'integration',
      testEnvironment,
      transform,
      modulePathIgnorePatterns,
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
      globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
      slowTestThreshold: 30,
    },
  ],
};
