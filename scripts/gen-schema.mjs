#!/usr/bin/env node
/**
 * Writes the JSON Schemas shipped in schema/ from the zod schema (src/scenario/schema.ts), using the built code:
 *   npx tsc -p . && node scripts/gen-schema.mjs
 * test/scenario/json-schema.test.ts fails when the shipped files differ from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchemas } from '../dist/scenario/schema.js';

const dir = fileURLToPath(new URL('../schema/', import.meta.url));
for (const [file, schema] of Object.entries(scenarioJsonSchemas())) {
  writeFileSync(dir + file, `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote schema/${file}\n`);
}
