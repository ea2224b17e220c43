import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', 'extension/dist/', 'extension/dist-zip/', 'data/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // One way to open a transaction: UnitOfWork.run, which also runs the after-commit effects
    // (src/db/unit-of-work.ts; docs/architecture.md). Tests may open their own.
    files: ['src/**/*.ts'],
    ignores: ['src/db/unit-of-work.ts', 'src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^(transaction|startTransaction)$/][arguments.length=0]',
          message: 'Open transactions with UnitOfWork.run (app.unitOfWork), so after-commit effects run.',
        },
      ],
    },
  },
);
