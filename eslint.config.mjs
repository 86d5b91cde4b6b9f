// ESLint 9 flat config for the whole repository.
// eslint-config-taro 4.2 still targets ESLint 8 (eslintrc only, peer eslint ^8), so the mini-program
// gets the React rules it bundles straight from eslint-plugin-react and eslint-plugin-react-hooks.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.temp/**', '**/.swc/**', 'coverage/**', 'miniapp/.taro*/**', 'tests/e2e/artifacts/**', 'tests/e2e/screenshots/**', 'bff/drizzle/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_` marks a parameter kept for its position (handlers, callbacks).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Raw SQL rows in the BFF go through a row parser (bff/src/db/rows.ts), so declared types are true
    // on PGlite and on a PostgreSQL server; the unchecked two-argument form is for tests' ad-hoc reads.
    files: ['bff/src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='queryRows'][arguments.length<3]", message: 'Pass a row parser (bff/src/db/rows.ts) as the third argument.' }],
    },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['tests/**/*.{ts,mjs}'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    // Tests read JSON answers of many shapes; typing each body would add noise, not safety (the
    // assertions check the shape). Product code keeps the rule.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Browser journeys: the callbacks handed to page.evaluate run in the page.
    files: ['tests/e2e/**/*.mjs', 'tests/weapp/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // The mini-program and the staff console: React 18 with the automatic JSX runtime.
    files: ['miniapp/**/*.{ts,tsx}', 'bff/console/**/*.{ts,tsx}'],
    ...react.configs.flat.recommended,
    ...react.configs.flat['jsx-runtime'],
    plugins: { react, 'react-hooks': reactHooks },
    languageOptions: {
      ...react.configs.flat.recommended.languageOptions,
      globals: { ...globals.browser },
    },
    settings: { react: { version: '18.3' } },
    rules: {
      ...react.configs.flat.recommended.rules,
      ...react.configs.flat['jsx-runtime'].rules,
      // The two classic hook rules; the React Compiler rules of plugin v7 do not apply (no compiler here).
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // Types already check props.
      'react/prop-types': 'off',
    },
  },
  {
    // Taro's build-time constants and process.env.TARO_ENV (replaced by webpack's DefinePlugin).
    files: ['miniapp/**/*.{ts,tsx}'],
    languageOptions: { globals: { API_BASE: 'readonly', STALL_TEMPLATE_ID: 'readonly', REPORT_TEMPLATE_ID: 'readonly', process: 'readonly', wx: 'readonly' } },
  },
);
