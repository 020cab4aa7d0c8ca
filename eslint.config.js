import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Pure layers: review/ and render/ must not import anything that does I/O. */
const ioModules = [
  'probot',
  'octokit',
  '@octokit/*',
  '@anthropic-ai/*',
  'ioredis',
  'bullmq',
  'node:fs',
  'node:fs/*',
  'fs',
  'node:child_process',
  'node:net',
  'node:http',
  'node:https',
  'node:process',
];

export default tseslint.config(
  // eval/ holds evaluation data (a sample service and changes that plant bugs on purpose), not Bulwark's code.
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'eval/**', 'action/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/review/**/*.ts', 'src/render/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ioModules.map((group) => ({ group: [group], message: 'review/ and render/ are pure: no I/O imports.' })) }],
      'no-restricted-globals': ['error', { name: 'process', message: 'review/ and render/ are pure: pass configuration in.' }],
    },
  },
);
