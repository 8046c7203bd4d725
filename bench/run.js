#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.js (each exports `async function run(print)`) against the built dist/.
// Seeded inputs, so before/after runs see identical data. Prints events/s and peak RSS; asserts nothing.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here).filter((f) => f.endsWith('.bench.js') && (!only || f.includes(only))).sort();
for (const f of files) {
  const mod = await import(pathToFileURL(join(here, f)).href);
  console.log(`== ${f}`);
  await mod.run((line) => console.log(line));
}
