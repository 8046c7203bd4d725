import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    env: { MMREPLAY_DEBUG_VM: '1' },
  },
});
