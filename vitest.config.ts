import { defineConfig } from 'vitest/config'

// Unit tests live beside the code; end-to-end tests (real clients, real server) live in test/.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          // Sized for a loaded 2-core machine: fixtures build real packages (npm pack, gem build) in hooks.
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          // Each Larder a test starts is one process, as the tests of its memory, metrics and logs expect;
          // test/workers/ runs several workers (LARDER_WORKERS, the number of CPUs by default) on purpose.
          env: { LARDER_WORKERS: '1' },
        },
      },
    ],
  },
})
