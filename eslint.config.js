// Lint rules the compiler cannot check: promises nobody awaits or that land where a callback's
// return is ignored (issue 10's shutdown bug was an awaited promise on an unref()ed timer).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scripts/**', '*.js', '*.cjs', 'test/support/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            // Inside a transaction lmdb-js applies put/remove synchronously; the promise they return
            // settles with the transaction, which the caller awaits.
            { from: 'package', package: 'lmdb', name: ['put', 'remove'] },
            // Output.write's promise is backpressure only; write errors are handled inside Output.
            { from: 'file', path: 'src/cli/output/Output.ts', name: 'write' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
);
