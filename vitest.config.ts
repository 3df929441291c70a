import { defineConfig } from 'vitest/config';

// Two projects, as the house style asks:
// - unit: pure tests next to the code (src/**/*.test.ts), no I/O beyond memory;
// - integration: real PostgreSQL, real sockets on 127.0.0.1, sipp as the SIP peer (test/integration/**).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          environment: 'node',
          // Unit tests run first, as their own group: they are fast and fail early.
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['test/helpers/global-setup.ts'],
          // Two cores: keep sockets and sipp processes from starving each other.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
