/**
 * `mmreplay validate FILE...`: checks JSON scenarios (and traces' `*.expect.json` sidecars) against the scenario
 * schema and the semantic rules of src/scenario/load.ts. Text: `FILE: ok` on stdout for a valid file, every issue
 * of an invalid one on stderr (`file: json.path: message`). JSON: one document on stdout. Exit 0 when every file
 * is valid, 2 when any is invalid or unreadable.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ExitCode } from '../errors.js';
import {
  checkScenarioFile, checkTraceExpectFile, formatIssue, isExpectSidecar, type ScenarioIssue,
} from '../scenario/load.js';
import type { Io } from './io.js';

/** version of the `--format json` document */
export const VALIDATE_JSON_SCHEMA = 1;

export interface ValidateFileResult {
  file: string;
  valid: boolean;
  errors: ScenarioIssue[];
}

/** Checks each file; paths are used as given (relative ones against io.cwd). */
export function validateFiles(files: readonly string[], cwd: string): ValidateFileResult[] {
  return files.map((file) => {
    const path = resolve(cwd, file);
    const r = isExpectSidecar(file) ? checkTraceExpectFile(path) : checkScenarioFile(path);
    return { file, valid: r.issues.length === 0, errors: r.issues };
  });
}

export function register(program: Command, io: Io): void {
  program
    .command('validate')
    .description('check JSON scenarios (and *.expect.json trace sidecars) against the scenario schema, with exact error paths')
    .argument('<file...>', 'scenario files (*.expect.json files are checked as trace expectation sidecars)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((files: string[], opts: { format: 'text' | 'json' }) => {
      const results = validateFiles(files, io.cwd);
      if (opts.format === 'json') {
        io.stdout(`${JSON.stringify({ schema: VALIDATE_JSON_SCHEMA, files: results })}\n`);
      } else {
        for (const r of results) {
          if (r.valid) io.stdout(`${r.file}: ok\n`);
          else for (const e of r.errors) io.stderr(`${formatIssue(r.file, e)}\n`);
        }
      }
      io.exitCode = results.every((r) => r.valid) ? ExitCode.OK : ExitCode.USAGE_OR_INPUT;
    });
}

