import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '*.cjs', 'scripts/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error',
        { selector: 'TSEnumDeclaration', message: 'Use literal unions, not enum (docs/architecture.md §5).' },
        { selector: 'ExportAllDeclaration', message: 'index.ts names its exports explicitly (docs/architecture.md §3).' }],
    },
  },
  {
    // docs/architecture.md §4: wall clock, timers and process.env only in the clock, adapters, config loading, app and main.
    files: ['src/domain/**/*.ts', 'src/market/**/*.ts', 'src/signals/**/*.ts', 'src/orders/**/*.ts', 'src/scan/**/*.ts'],
    ignores: ['src/domain/time.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Take a Clock (docs/architecture.md §4).' },
        { object: 'process', property: 'env', message: 'Config comes as a parameter (docs/architecture.md §4).' },
        { object: 'process', property: 'exit', message: 'process.exit only in main.ts and cli/.' }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval'],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  // Example strategies are plain JavaScript outside the TypeScript project: linted without type information.
  { files: ['examples/**/*.js'], ...tseslint.configs.disableTypeChecked },
);
