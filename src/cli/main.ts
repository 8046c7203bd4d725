/**
 * The commander program and the error boundary: every known error becomes its message on stderr and its exit
 * code; anything else is an internal error (exit 70, stack only with --debug). Only this directory touches
 * `process`, and only main() does here.
 */
import { once } from 'node:events';
import { Command, CommanderError } from 'commander';
import { ExitCode, MmreplayError } from '../errors.js';
import type { Io } from './io.js';
export const VERSION = '0.1.0';

type Register = (program: Command, io: Io) => void;

/**
 * The commands, in the order help lists them. Each module is imported only when needed: a command line names one
 * command, so only that command's modules (and their share of the simulator) are loaded — importing every command
 * costs about half a second of start-up on each run.
 */
const commandModules: readonly [string, () => Promise<{ register: Register }>][] = [
  ['replay', () => import('./replay.js')],
  ['stat', () => import('./stat.js')],
  ['convert', () => import('./convert.js')],
  ['validate', () => import('./validate.js')],
  ['machine', () => import('./machine.js')],
  ['policies', () => import('./policies.js')],
  ['check', () => import('./check.js')],
  ['diff', () => import('./diff.js')],
];

/** the command a command line names (its first word that is not a global option), if it is one of ours */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv.find((a) => !a.startsWith('-'));
  return commandModules.some(([name]) => name === first) ? first : undefined;
}

/**
 * Builds the program wired to `io`: with `argv`, only the command it names (every command for help, a version
 * query or an unknown command, so their output lists them all).
 */
export async function buildProgram(io: Io, argv?: readonly string[]): Promise<Command> {
  const program = new Command('mmreplay');
  program
    .description("replay Linux page-allocator traces and scenarios through a simulation of the kernel's page allocator")
    .version(VERSION)
    .option('--debug', 'print stack traces of internal errors')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  const only = argv ? commandOf(argv) : undefined;
  for (const [name, load] of commandModules) {
    if (only !== undefined && name !== only) continue;
    (await load()).register(program, io);
  }
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/** Runs one command line against `io`; returns the exit code (also left in io.exitCode). */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = await buildProgram(io, argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    io.exitCode = handleError(e, io, argv.includes('--debug'));
  }
  return io.exitCode;
}

function handleError(e: unknown, io: Io, debug: boolean): number {
  if (e instanceof CommanderError) {
    // help and version exit 0; every other commander error is a usage error (2), not commander's default 1
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return ExitCode.USAGE_OR_INPUT;
  }
  if (e instanceof MmreplayError) {
    io.stderr(`mmreplay: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`mmreplay: internal error: ${err.message}\n`);
  if (debug && err.stack) io.stderr(`${err.stack}\n`);
  else io.stderr('(run again with --debug for the stack trace, and please report it)\n');
  return ExitCode.INTERNAL;
}

/** The executable's entry: real process streams, exit code through process.exitCode (output is flushed). */
export async function main(argv: string[]): Promise<void> {
  const io: Io = {
    stdout: (s) => { process.stdout.write(s); },
    stdoutDrain: () => (process.stdout.writableNeedDrain ? once(process.stdout, 'drain').then(() => undefined) : undefined),
    stderr: (s) => { process.stderr.write(s); },
    stdin: () => process.stdin,
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    exitCode: 0,
    cwd: process.cwd(),
  };
  // a closed pipe (`mmreplay replay … | head`) is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  process.exitCode = await run(argv, io);
}
