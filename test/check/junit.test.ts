/**
 * src/report/junit.ts: the JUnit document `mmreplay check --junit` writes. Validated against test/junit-10.xsd
 * with xmllint where xmllint is installed (apt-get install libxml2-utils), and always against the same rules by
 * the TypeScript structural check (test/check/junit-structure.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { formatJunit, junitTime, xmlEscape } from '../../src/report/junit.js';
import { checkJunitStructure, parseJunit } from './junit-structure.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const xsd = join(root, 'test/junit-10.xsd');
const tmp = mkdtempSync(join(tmpdir(), 'mmreplay-junit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const xmllint = hasXmllint();

/** xmllint's verdict on `xml` against junit-10.xsd */
function xmllintValidate(xml: string): { ok: boolean; output: string } {
  const f = join(tmp, `v${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(f, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', xsd, f], { stdio: 'pipe' });
    return { ok: true, output: '' };
  } catch (e) {
    return { ok: false, output: String((e as { stderr?: Buffer }).stderr ?? e) };
  }
}

async function junitOf(args: string[]): Promise<{ code: number; xml: string }> {
  const out = join(tmp, `j${Math.random().toString(36).slice(2)}.xml`);
  const io = memoryIo();
  io.cwd = root;
  const code = await run(['check', ...args, '--junit', out], io);
  return { code, xml: readFileSync(out, 'utf8') };
}

describe('formatJunit', () => {
  it('when cases pass, fail and error then counts, classname, time and the failure text are as written', () => {
    const xml = formatJunit([
      { classname: 'traces/scenarios', name: 'a', seconds: 0.0123 },
      { classname: 'traces/scenarios', name: 'b <&> "q"', seconds: 1.5, failure: { message: 'requests.k1.zone: expected DMA32, got DMA', text: 'requests.k1.zone: expected DMA32, got DMA\n  wmark <x>\n' } },
      { classname: 'x', name: 'c', seconds: 0, error: { message: 'bad input', type: 'input' } },
    ], 2.25);
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="mmreplay check" tests="3" failures="1" errors="1" time="2.250">
  <testsuite name="mmreplay check" tests="3" failures="1" errors="1" time="2.250">
    <testcase classname="traces/scenarios" name="a" time="0.012"/>
    <testcase classname="traces/scenarios" name="b &lt;&amp;&gt; &quot;q&quot;" time="1.500">
      <failure message="requests.k1.zone: expected DMA32, got DMA" type="expectation">requests.k1.zone: expected DMA32, got DMA
  wmark &lt;x&gt;
</failure>
    </testcase>
    <testcase classname="x" name="c" time="0.000">
      <error message="bad input" type="input"/>
    </testcase>
  </testsuite>
</testsuites>
`);
    expect(checkJunitStructure(xml)).toEqual([]);
    expect(parseJunit(xml).children[0]!.children[1]!.attrs.name).toBe('b <&> "q"');
  });

  it('when text holds control characters or newlines in an attribute then they are dropped or escaped', () => {
    expect(xmlEscape('a\u0001b\nc', true)).toBe('ab&#10;c');
    expect(xmlEscape('a\u001bb\nc', false)).toBe('ab\nc');
    expect(junitTime(12345.6789)).toBe('12345.679');
    expect(junitTime(-1)).toBe('0.000');
  });
});

describe('the structural check', () => {
  it('when the document breaks a schema rule then it names the rule (so it can fail)', () => {
    expect(checkJunitStructure('<testsuites><testsuite name="x" tests="1" failures="0"><testcase/></testsuite></testsuites>')).toEqual([
      'testsuites/testsuite[0]: attribute errors is required',
      'testsuites/testsuite[0]/testcase[0]: attribute name is required',
    ]);
    expect(checkJunitStructure('<testsuites time="1.2.3"><testcase name="a"/></testsuites>')).toEqual([
      'testsuites: time "1.2.3" does not match SUREFIRE_TIME',
      'testsuites: <testcase> is not allowed here',
    ]);
    expect(checkJunitStructure('<testsuites><testsuite name="a" tests="0" failures="0" errors="0">')).toEqual(['unclosed <testsuite>']);
  });
});

describe('mmreplay check --junit', () => {
  it('when a scenario fails then the file holds one testcase per scenario and the failure with the diff', async () => {
    const { code, xml } = await junitOf(['test/fixtures/check/mixed', 'test/fixtures/check/scen']);
    expect(code).toBe(1);
    expect(checkJunitStructure(xml)).toEqual([]);
    const suite = parseJunit(xml).children[0]!;
    expect(suite.attrs).toMatchObject({ name: 'mmreplay check', tests: '2', failures: '1', errors: '0' });
    expect(suite.children.map((c) => [c.attrs.classname, c.attrs.name, c.children.map((x) => x.name)])).toEqual([
      ['test/fixtures/check/mixed', 'uses-machine-file', ['system-out']],
      ['test/fixtures/check/scen', 'repeat-two-blocks', ['failure', 'system-out']],
    ]);
    const failure = suite.children[1]!.children[0]!;
    expect(failure.attrs).toEqual({ message: 'requests.big.ok (repetition 2 of 3; 2 failed): expected true, got false (and 1 more)', type: 'expectation' });
    expect(failure.text.split('\n').slice(0, 3)).toEqual([
      'requests.big.ok (repetition 2 of 3; 2 failed): expected true, got false',
      'requests.big.failures: expected 0, got 2',
      'decision log of big (#3, repetition 2 of 3): order=10 GFP_ATOMIC|__GFP_NOWARN Unmovable  fail → failed',
    ]);
  });

  it.skipIf(!xmllint)('when xmllint is installed then the file validates against test/junit-10.xsd', async () => {
    const { xml } = await junitOf(['test/fixtures/check/mixed', 'test/fixtures/check/scen', 'test/fixtures/check/trace']);
    expect(xmllintValidate(xml)).toEqual({ ok: true, output: '' });
    // and the schema does reject a document that breaks it (the validation can fail)
    expect(xmllintValidate(xml.replaceAll(' errors="0"', '')).ok).toBe(false);
  });

  it.runIf(!xmllint)('xmllint is not installed: schema validation skipped (apt-get install -y libxml2-utils to run it)', () => {
    expect(xmllint).toBe(false);
  });
});
