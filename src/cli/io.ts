/**
 * The process boundary handed to every command, so commands never touch `process` and tests can capture output.
 */
import { Readable } from 'node:stream';

export interface Io {
  stdout: (s: string) => void;
  /** resolves when stdout can take more (a slow pipe); undefined when it is not full. Streaming writers await it. */
  stdoutDrain?: () => Promise<void> | undefined;
  stderr: (s: string) => void;
  /** standard input, for `-` */
  stdin: () => Readable;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** set by commands; main() copies it to process.exitCode */
  exitCode: number;
  cwd: string;
}

/** An Io that collects output in strings (tests). */
export function memoryIo(env: Record<string, string | undefined> = {}, stdinText = ''): Io & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(s: string) { io.out += s; },
    stderr(s: string) { io.err += s; },
    stdin: () => Readable.from([Buffer.from(stdinText)]),
    env,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    exitCode: 0,
    cwd: process.cwd(),
  };
  return io;
}
