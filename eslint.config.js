// typescript-eslint's recommended type-aware rules over src, bin, bench and test.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/fixtures/**', 'sql/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // typescript-eslint's base sets sourceType 'module' everywhere; CommonJS files get require/module/exports back.
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  // Lines at most 120 characters, string and template literals included (split them with +).
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    plugins: { '@stylistic': stylistic },
    rules: { '@stylistic/max-len': ['error', { code: 120 }] },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only src/cli/main.ts exits.' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
