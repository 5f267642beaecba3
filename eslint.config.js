// Lint doubles as the architecture guard: each component may import only what docs/architecture.md allows.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

const rule = '@typescript-eslint/no-restricted-imports';
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'worker_threads'];
const component = (name) => [`**/${name}/**`, `../${name}/*`];

/** Imports a component must not make, with the reason shown in the lint message. */
const forbid = (groups, message) => ({
  [rule]: ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-results/', 'build/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
  },
  {
    files: ['federated/**'],
    rules: {
      [rule]: [
        'error',
        {
          paths: [{ name: 'electron', message: 'federated/ runs in every process: no Electron.' }],
          patterns: [
            {
              group: [
                ...component('electron'),
                ...component('renderer'),
                ...component('coordinator'),
                ...component('cli'),
                ...component('simulation'),
              ],
              message: 'federated/ is the shared core: it imports none of the other components.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/**'],
    rules: forbid(
      [
        ...component('renderer'),
        ...component('coordinator'),
        ...component('cli'),
        ...component('simulation'),
      ],
      'electron/ may import only federated/.',
    ),
  },
  {
    files: ['simulation/**'],
    rules: forbid(component('renderer'), 'simulation/ drives real backends, never the UI code.'),
  },
  {
    files: ['coordinator/**'],
    ignores: ['coordinator/dashboard/**'],
    rules: forbid(
      [
        ...component('electron'),
        ...component('renderer'),
        ...component('cli'),
        ...component('simulation'),
      ],
      'coordinator/ may import only federated/.',
    ),
  },
  {
    files: ['renderer/**', 'coordinator/dashboard/**'],
    ignores: ['**/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      [rule]: [
        'error',
        {
          paths: [{ name: 'electron', message: 'UI code talks only to its typed API object.' }],
          patterns: [
            { group: nodeBuiltins, message: 'UI code runs in a sandboxed page: no Node modules.' },
            {
              group: ['@tensorflow/*', 'fastify', '@fastify/*', 'pino', 'better-sqlite3'],
              message: 'UI code talks only to its typed API object.',
            },
            {
              group: [
                ...component('electron'),
                ...component('cli'),
                ...component('simulation'),
                '**/coordinator/*/**',
                '!**/coordinator/dashboard/**',
                '**/federated/**',
                // The one date module is pure and shared on purpose: the renderer's "today" and
                // day arithmetic must be the backend's, not a second implementation.
                '!**/federated/calendar/',
                '!**/federated/calendar/dates.ts',
              ],
              allowTypeImports: true,
              message: 'UI code may import types only from the backend.',
            },
          ],
        },
      ],
    },
  },
);
