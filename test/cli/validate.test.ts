import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fx = (f: string) => `test/fixtures/scenario/${f}`;

/** runs `mmreplay validate ...args` from the project root */
async function validate(...args: string[]) {
  const io = memoryIo();
  io.cwd = root;
  const code = await run(['validate', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('mmreplay validate', () => {
  it('when every file is valid then each prints "FILE: ok" on stdout and the exit code is 0', async () => {
    const r = await validate(fx('valid.json'), 'traces/scenarios/order0-fast-path.json', fx('sidecar.expect.json'));
    expect(r).toEqual({
      code: 0,
      out: 'test/fixtures/scenario/valid.json: ok\ntraces/scenarios/order0-fast-path.json: ok\ntest/fixtures/scenario/sidecar.expect.json: ok\n',
      err: '',
    });
  });

  it('when a file has wrong types then every error goes to stderr with its JSON path and the exit code is 2', async () => {
    const r = await validate(fx('bad-types.json'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatchInlineSnapshot(`
      "test/fixtures/scenario/bad-types.json: description: expected description (a string)
      test/fixtures/scenario/bad-types.json: policy: expected a policy: "v4.0", "v4.12", "v5.0", "v5.15", "v6.1", "v6.6", "v6.18"
      test/fixtures/scenario/bad-types.json: requests[0].alloc.order: expected order (a whole number ≥ 0)
      test/fixtures/scenario/bad-types.json: requests[0].alloc.gfp: expected gfp flags: a string such as "GFP_KERNEL|__GFP_NOWARN" or a number
      test/fixtures/scenario/bad-types.json: requests[0].alloc.repeat: repeat must be ≥ 1
      test/fixtures/scenario/bad-types.json: requests[1].advance: advance must be > 0
      test/fixtures/scenario/bad-types.json: expect.warnings: expected a count (a whole number ≥ 0) or a range { "min": a, "max": b }
      "
    `);
  });

  it('when keys are unknown then each is reported with a suggestion', async () => {
    const r = await validate(fx('unknown-key.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatchInlineSnapshot(`
      "test/fixtures/scenario/unknown-key.json: sysctl: unknown key "min_free_kbyte" (did you mean "min_free_kbytes"?)
      test/fixtures/scenario/unknown-key.json: requests[0].alloc: unknown key "nowarn"
      test/fixtures/scenario/unknown-key.json: requests[1]: unknown key "allok" (did you mean "alloc"?)
      test/fixtures/scenario/unknown-key.json: requests[1]: a request needs one of "alloc", "free", "advance", "sysctl"
      test/fixtures/scenario/unknown-key.json: unknown key "expected" (did you mean "expect"?)
      "
    `);
  });

  it('when a gfp name is unknown then its path and name are reported', async () => {
    const r = await validate(fx('bad-gfp.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatchInlineSnapshot(`
      "test/fixtures/scenario/bad-gfp.json: requests[0].alloc.gfp: unknown gfp flag 'GPF_ZERO' in policy v6.18
      "
    `);
  });

  it('when free names an unknown request then it is reported', async () => {
    const r = await validate(fx('unknown-free.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatchInlineSnapshot(`
      "test/fixtures/scenario/unknown-free.json: requests[1].free.name: no alloc request is named "bfu" (did you mean "buf"?)
      test/fixtures/scenario/unknown-free.json: requests[2].free.name: "later" is freed before requests[3] allocates it
      test/fixtures/scenario/unknown-free.json: expect.requests.nope: no alloc request is named "nope"
      "
    `);
  });

  it('when the JSON is malformed then the error is file:line:col', async () => {
    const r = await validate(fx('syntax.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatchInlineSnapshot(`
      "test/fixtures/scenario/syntax.json:4:3: unexpected '"': expected ',' or '}' after a property value
      "
    `);
  });

  it('when a file is missing then it is reported, the other files are still checked, and the exit code is 2', async () => {
    const r = await validate(fx('missing.json'), fx('valid.json'));
    expect(r).toEqual({ code: 2, out: 'test/fixtures/scenario/valid.json: ok\n', err: 'test/fixtures/scenario/missing.json: cannot read: no such file\n' });
  });

  it('when --format json is given then stdout holds one document with every file and error, and the exit code still says invalid', async () => {
    const r = await validate('--format', 'json', fx('valid.json'), fx('syntax.json'), fx('bad-gfp.json'));
    expect(r.code).toBe(2);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchInlineSnapshot(`
      {
        "files": [
          {
            "errors": [],
            "file": "test/fixtures/scenario/valid.json",
            "valid": true,
          },
          {
            "errors": [
              {
                "column": 3,
                "line": 4,
                "message": "unexpected '"': expected ',' or '}' after a property value",
                "path": "",
              },
            ],
            "file": "test/fixtures/scenario/syntax.json",
            "valid": false,
          },
          {
            "errors": [
              {
                "message": "unknown gfp flag 'GPF_ZERO' in policy v6.18",
                "path": "requests[0].alloc.gfp",
              },
            ],
            "file": "test/fixtures/scenario/bad-gfp.json",
            "valid": false,
          },
        ],
        "schema": 1,
      }
    `);
  });

  it('when the format is unknown or no file is given then it is a usage error (exit 2)', async () => {
    expect((await validate('--format', 'xml', fx('valid.json'))).code).toBe(2);
    const r = await validate();
    expect(r.code).toBe(2);
    expect(r.err).toContain("missing required argument 'file'");
  });
});
