import { describe, expect, it } from 'vitest';
import { buildProgram, run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

describe('mmreplay main', () => {
  it('when --help is given then help goes to stdout and the exit code is 0', async () => {
    const io = memoryIo();
    expect(await run(['--help'], io)).toBe(0);
    expect(io.out).toContain('Usage: mmreplay');
    expect(io.err).toBe('');
  });

  it('when the command is unknown then the error goes to stderr and the exit code is 2, not commander’s 1', async () => {
    const io = memoryIo();
    expect(await run(['bogus'], io)).toBe(2);
    expect(io.err).toContain("unknown command 'bogus'");
    expect(io.out).toBe('');
  });

  it('when an option is unknown then the exit code is 2', async () => {
    const io = memoryIo();
    expect(await run(['--no-such-option'], io)).toBe(2);
    expect(io.err).toContain("unknown option '--no-such-option'");
  });

  it('when --version is given then the version is printed and the exit code is 0', async () => {
    const io = memoryIo();
    expect(await run(['--version'], io)).toBe(0);
    expect(io.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('when a command line names a command then only that command is loaded; help lists all eight', async () => {
    const names = async (argv?: string[]) => (await buildProgram(memoryIo(), argv)).commands.map((c) => c.name());
    expect(await names(['--debug', 'policies', 'v5.0'])).toEqual(['policies']);
    const all = ['replay', 'stat', 'convert', 'validate', 'machine', 'policies', 'check', 'diff'];
    expect(await names(['--help'])).toEqual(all);
    expect(await names(['help', 'stat'])).toEqual(all);
    expect(await names(['bogus'])).toEqual(all);
  });
});
