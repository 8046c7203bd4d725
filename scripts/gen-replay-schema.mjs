#!/usr/bin/env node
/**
 * Writes schema/replay-log.schema.json from src/replay/schema.ts, using the built code:
 *   npx tsc -p . && node scripts/gen-replay-schema.mjs
 * test/replay/schema.test.ts fails when the shipped file differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { replayLogSchema } from '../dist/replay/schema.js';

const file = fileURLToPath(new URL('../schema/replay-log.schema.json', import.meta.url));
writeFileSync(file, `${JSON.stringify(replayLogSchema(), null, 2)}\n`);
process.stdout.write('wrote schema/replay-log.schema.json\n');
