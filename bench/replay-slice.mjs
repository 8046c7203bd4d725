#!/usr/bin/env node
// One in-thread `mmreplay replay FILE --machine x86_64-16G --log LOG` (`--format jsonl` with a log other than
// failures or none; dist/cli/main.js run(), output discarded,
// MMREPLAY_NO_WORKER=1): run by bench/replay-instructions.sh under valgrind, which counts its instructions.
import { Readable } from 'node:stream';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { run } = await import(join(here, '../dist/cli/main.js'));
const io = {
  stdout: () => {}, stderr: (s) => process.stderr.write(s), stdin: () => Readable.from([]), env: { MMREPLAY_NO_WORKER: '1' },
  stdoutIsTTY: false, stderrIsTTY: false, exitCode: 0, cwd: process.cwd(),
};
const log = process.env.LOG ?? 'failures';
const format = log === 'failures' || log === 'none' ? [] : ['--format', 'jsonl'];
const rc = await run(['replay', process.env.FILE, '--machine', 'x86_64-16G', '--log', log, ...format], io);
if (rc !== 0) process.exit(rc);
