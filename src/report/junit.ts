/**
 * JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): the shape of Jenkins xunit-plugin's
 * junit-10.xsd (test/junit-10.xsd validates it in the tests). One <testsuite name="mmreplay check">, one
 * <testcase> per scenario or trace sidecar: classname = its folder, name = the scenario's name; a failed
 * expectation is a <failure type="expectation"> whose text is the diff; a run that stopped with an error
 * (an input error while replaying, an invariant violation) is an <error>. Times are seconds with 3 decimals.
 */

/** what the writer needs of one result */
export interface JunitCase {
  classname: string;
  name: string;
  seconds: number;
  /** failure: message (first line) and text (the diff) */
  failure?: { message: string; text: string };
  error?: { message: string; type: string };
  /** extra output, e.g. the file path */
  systemOut?: string;
}

export const JUNIT_SUITE_NAME = 'mmreplay check';

/** XML 1.0 forbids most C0 controls even escaped; drop them (a diff never needs them) */
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(s: string, attr: boolean): string {
  let o = s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) o = o.replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
  return o;
}

/** seconds as junit-10.xsd's SUREFIRE_TIME accepts them (digits, a dot, 3 decimals) */
export function junitTime(seconds: number): string {
  return Math.max(0, seconds).toFixed(3);
}

/** The whole document. */
export function formatJunit(cases: readonly JunitCase[], seconds: number): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="${errors}" time="${junitTime(seconds)}"`;
  let o = '<?xml version="1.0" encoding="UTF-8"?>\n';
  o += `<testsuites name="${JUNIT_SUITE_NAME}" ${counts}>\n`;
  o += `  <testsuite name="${JUNIT_SUITE_NAME}" ${counts}>\n`;
  for (const c of cases) {
    const head = `    <testcase classname="${xmlEscape(c.classname, true)}" name="${xmlEscape(c.name, true)}" time="${junitTime(c.seconds)}"`;
    const body: string[] = [];
    if (c.failure) body.push(`      <failure message="${xmlEscape(c.failure.message, true)}" type="expectation">${xmlEscape(c.failure.text, false)}</failure>`);
    if (c.error) body.push(`      <error message="${xmlEscape(c.error.message, true)}" type="${xmlEscape(c.error.type, true)}"/>`);
    if (c.systemOut) body.push(`      <system-out>${xmlEscape(c.systemOut, false)}</system-out>`);
    o += body.length ? `${head}>\n${body.join('\n')}\n    </testcase>\n` : `${head}/>\n`;
  }
  o += '  </testsuite>\n</testsuites>\n';
  return o;
}
