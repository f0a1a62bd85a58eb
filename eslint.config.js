// One lint config for the whole repository; the capacity library gets extra import walls.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules the pure capacity math must never reach: UI, workers, storage, network, I/O. */
const capacityForbidden = [
  'react',
  'react-dom',
  'next',
  'next/*',
  'dexie',
  'comlink',
  'peerjs',
  'peer',
  'ws',
  'monaco-editor',
  '@monaco-editor/*',
  '@huggingface/transformers',
  'node-llama-cpp',
  'systeminformation',
  'fs',
  'fs/*',
  'node:*',
  'http',
  'https',
  'net',
  'child_process',
  '**/app/**',
  '**/workers/**',
  '**/engines/**',
  '**/mesh/**',
  '**/agent/**',
  '**/sources/**',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      'out/**',
      'public/generated/**',
      'tests/output/**',
      'test-results/**',
      'playwright-report/**',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'max-len': [
        'error',
        {
          code: 100,
          ignoreUrls: true,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
        },
      ],
    },
  },
  {
    files: ['lib/capacity/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: capacityForbidden }],
      'no-restricted-globals': [
        'error',
        'fetch',
        'window',
        'document',
        'indexedDB',
        'localStorage',
      ],
    },
  },
);
