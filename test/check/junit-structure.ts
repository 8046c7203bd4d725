/**
 * A structural check of JUnit XML against the rules of test/junit-10.xsd, in TypeScript, so it runs on every
 * machine (xmllint validates against the schema itself only where it is installed). It parses the XML (well-formed
 * elements, double-quoted attributes, the five entities and character references) and checks, per element, the
 * attributes allowed and required, the children allowed, text only where the schema allows it, and the
 * SUREFIRE_TIME pattern of testsuite/testsuites `time`. Returns the problems found (empty: valid).
 */

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** junit-10.xsd SUREFIRE_TIME */
const SUREFIRE_TIME = /^(?:(?:[0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(?:\.[0-9]*)?$/;

const RESULT = { attrs: ['type', 'message'], required: [], children: [], text: true };
const RERUN = { attrs: ['type', 'message'], required: ['type'], children: ['stackTrace', 'system-out', 'system-err'], text: true };
const STRING = { attrs: [], required: [], children: [], text: true };
const rules: Record<string, { attrs: string[]; required: string[]; children: string[]; text: boolean }> = {
  testsuites: { attrs: ['name', 'time', 'tests', 'failures', 'errors'], required: [], children: ['testsuite'], text: false },
  testsuite: {
    attrs: ['name', 'tests', 'failures', 'errors', 'group', 'time', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url'],
    required: ['name', 'tests', 'failures', 'errors'],
    children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'],
    text: false,
  },
  testcase: {
    attrs: ['name', 'time', 'classname', 'group'], required: ['name'],
    children: ['skipped', 'error', 'failure', 'rerunFailure', 'rerunError', 'flakyFailure', 'flakyError', 'system-out', 'system-err'],
    text: false,
  },
  properties: { attrs: [], required: [], children: ['property'], text: false },
  property: { attrs: ['name', 'value'], required: ['name', 'value'], children: [], text: false },
  failure: RESULT, error: RESULT, skipped: RESULT,
  rerunFailure: RERUN, rerunError: RERUN, flakyFailure: RERUN, flakyError: RERUN,
  'system-out': STRING, 'system-err': STRING, stackTrace: STRING,
};

function decode(s: string, problems: string[]): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos|[^;]*);?/g, (m, e: string) => {
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    problems.push(`bad entity ${m}`);
    return m;
  });
}

function parse(xml: string, problems: string[]): El | undefined {
  let i = 0;
  const s = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: El[] = [];
  let root: El | undefined;
  // XML 1.0 allows no C0 control character but tab, newline and carriage return, not even as a reference
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(s)) problems.push('control character in the document');
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const text = s.slice(i, lt < 0 ? s.length : lt);
    if (stack.length) stack[stack.length - 1]!.text += decode(text, problems);
    else if (text.trim()) problems.push(`text outside the root: ${text.trim().slice(0, 40)}`);
    if (lt < 0) break;
    if (s.startsWith('<!--', lt)) { i = s.indexOf('-->', lt) + 3; continue; }
    const gt = s.indexOf('>', lt);
    if (gt < 0) { problems.push('unterminated tag'); break; }
    const tag = s.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const el = stack.pop();
      if (!el || el.name !== tag.slice(1).trim()) problems.push(`mismatched </${tag.slice(1)}>`);
      continue;
    }
    const self = tag.endsWith('/');
    const body = self ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)\s*([\s\S]*)$/.exec(body);
    if (!m) { problems.push(`bad tag <${tag}>`); continue; }
    const el: El = { name: m[1]!, attrs: {}, children: [], text: '' };
    let rest = m[2]!.trim();
    while (rest) {
      const a = /^([A-Za-z_][\w.:-]*)="([^"<]*)"\s*/.exec(rest);
      if (!a) { problems.push(`bad attribute syntax in <${el.name}>: ${rest.slice(0, 40)}`); break; }
      if (a[1]! in el.attrs) problems.push(`duplicate attribute ${a[1]} in <${el.name}>`);
      el.attrs[a[1]!] = decode(a[2]!, problems);
      rest = rest.slice(a[0].length);
    }
    if (stack.length) stack[stack.length - 1]!.children.push(el);
    else if (root) problems.push('more than one root element');
    else root = el;
    if (!self) stack.push(el);
  }
  if (stack.length) problems.push(`unclosed <${stack[stack.length - 1]!.name}>`);
  return root;
}

function checkEl(el: El, path: string, problems: string[]): void {
  const r = rules[el.name];
  if (!r) { problems.push(`${path}: element <${el.name}> is not in the schema`); return; }
  for (const a of Object.keys(el.attrs)) if (!r.attrs.includes(a)) problems.push(`${path}: attribute ${a} is not allowed`);
  for (const a of r.required) if (!(a in el.attrs)) problems.push(`${path}: attribute ${a} is required`);
  if ((el.name === 'testsuite' || el.name === 'testsuites') && el.attrs.time !== undefined && !SUREFIRE_TIME.test(el.attrs.time)) {
    problems.push(`${path}: time "${el.attrs.time}" does not match SUREFIRE_TIME`);
  }
  if (!r.text && el.text.trim()) problems.push(`${path}: text is not allowed`);
  el.children.forEach((c, k) => {
    if (!r.children.includes(c.name)) problems.push(`${path}: <${c.name}> is not allowed here`);
    else checkEl(c, `${path}/${c.name}[${k}]`, problems);
  });
}

/** Problems of `xml` against junit-10.xsd's structure; [] when valid. */
export function checkJunitStructure(xml: string): string[] {
  const problems: string[] = [];
  const root = parse(xml, problems);
  if (!root) return [...problems, 'no root element'];
  if (root.name !== 'testsuites' && root.name !== 'testsuite') problems.push(`root is <${root.name}>, not <testsuites> or <testsuite>`);
  checkEl(root, root.name, problems);
  return problems;
}

/** the parsed document (tests read counts and failure texts from it) */
export function parseJunit(xml: string): El {
  const problems: string[] = [];
  const root = parse(xml, problems);
  if (!root || problems.length) throw new Error(`not well-formed: ${problems.join('; ')}`);
  return root;
}
