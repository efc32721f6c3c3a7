// Lint rules for the whole monorepo: typescript-eslint with type information, plus the
// one-way dependency rule (packages never import apps or scripts) and the one owner of a
// prediction's status (only packages/predictions runs the statements that change it).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const onlyPackagesImportPackages = {
  group: ['@predictq/api', '@predictq/worker', '**/apps/**', '**/scripts/**'],
  message: 'packages never import apps or scripts',
};
const statusStatements = {
  name: '@predictq/db',
  importNames: [
    'claimPredictionsFrom',
    'completePredictionsFrom',
    'failPredictionFrom',
    'cancelBatchFrom',
    'cancelRestOfCanceledBatchesFrom',
  ],
  message:
    "a prediction's status changes through packages/predictions' transitions (claimPredictions, completePredictions, failPrediction)",
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'coverage/**', 'var/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [statusStatements] }] },
  },
  {
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [statusStatements], patterns: [onlyPackagesImportPackages] },
      ],
    },
  },
  {
    files: ['packages/predictions/**/*.ts', 'packages/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [onlyPackagesImportPackages] }],
    },
  },
  {
    files: ['scripts/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Hand-written fakes implement async interfaces without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly' },
    },
  },
);
