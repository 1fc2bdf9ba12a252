import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const UI_PACKAGES = ['react', 'react-dom', 'react-dom/*', 'zustand', '@tanstack/*', 'd3', 'd3-*'];
const segment = (names) => `(^|/)(${names.join('|')})(/|$)`;

/** One restriction block per layer: which sibling layers and packages its files may not import. */
function layerRules() {
  const layer = (files, forbiddenLayers, packages, extra = {}) => ({
    files,
    ignores: extra.ignores ?? [],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [
            {
              regex: segment(forbiddenLayers),
              message: `layer arrows (src/README.md): ${files[0]} may not import ${forbiddenLayers.join(', ')}`,
              ...(extra.allowTypeImports ? { allowTypeImports: true } : {}),
            },
            ...(packages.length
              ? [{ group: packages, message: 'this layer runs without a page: no UI packages' }]
              : []),
            ...(extra.noNode
              ? [{ regex: '^node:', message: 'the core runs in browsers too: no node modules' }]
              : []),
          ],
        },
      ],
    },
  });
  return [
    layer(
      ['src/core/**/*.{ts,tsx}'],
      ['engine', 'worker', 'ui', 'cli', 'workers'],
      [...UI_PACKAGES, 'comlink'],
    ),
    layer(
      ['src/core/**/*.ts'],
      ['engine', 'worker', 'ui', 'cli', 'workers'],
      [...UI_PACKAGES, 'comlink'],
      // node's I/O is allowed only in the node byte source and in tests/fixtures.
      {
        noNode: true,
        ignores: ['src/core/**/*.test.ts', 'src/core/testing/**', 'src/core/io/node-source.ts'],
      },
    ),
    layer(['src/engine/**/*.{ts,tsx}'], ['worker', 'ui', 'cli', 'workers'], [...UI_PACKAGES, 'comlink']),
    layer(['src/worker/**/*.{ts,tsx}', 'workers/**/*.ts'], ['ui', 'cli'], UI_PACKAGES),
    // The UI talks to the worker only through Comlink: it may import the worker's types, nothing else.
    layer(['src/ui/**/*.{ts,tsx}'], ['worker', 'cli', 'workers'], [], { allowTypeImports: true }),
    layer(['src/cli/**/*.{ts,tsx}'], ['worker', 'ui', 'workers'], [...UI_PACKAGES, 'comlink']),
  ];
}

export default tseslint.config(
  {
    ignores: [
      'dist',
      '.cache',
      'node_modules',
      'test-results',
      'playwright-report',
      'coverage',
      '.bench',
      'wasm/assembly',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Data from links and files must never be executed (SECURITY.md).
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  // Layer arrows (src/README.md): core ← engine ← worker, core ← ui, core/engine ← cli. Matched on
  // path segments, so they hold at every depth and in tests too.
  ...layerRules(),
);
