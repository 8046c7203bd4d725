/**
 * JSON text → value, with errors located by line and column. JSON.parse's messages differ between Node versions
 * and often give no position; scenario authors need `file:line:col: message`. So a small scanner checks the text
 * first (RFC 8259 grammar, plus duplicate keys, which JSON.parse silently resolves to the last one: in a scenario
 * that is always a mistake), and JSON.parse builds the value once the text is known to be good.
 */

/** a JSON syntax error at a 1-based line and column (columns count UTF-16 code units, as editors mostly do) */
export class JsonSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/** Parses `text` as JSON; throws JsonSyntaxError with the position of the first problem. A leading BOM is allowed. */
export function parseJson(text: string): unknown {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  new Scanner(src).document();
  return JSON.parse(src);
}

const describe = (ch: string | undefined): string =>
  ch === undefined ? 'end of file' : ch === '\n' ? 'end of line' : /[\x00-\x1f]/.test(ch) ? `control character U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : `'${ch}'`;

class Scanner {
  private pos = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }

  document(): void {
    this.ws();
    if (this.pos >= this.s.length) this.fail('empty file: expected a JSON object');
    this.value();
    this.ws();
    if (this.pos < this.s.length) this.fail(`unexpected ${describe(this.s[this.pos])} after the end of the JSON value`);
  }

  private value(): void {
    const ch = this.s[this.pos];
    if (ch === '{') this.object();
    else if (ch === '[') this.array();
    else if (ch === '"') this.string();
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) this.number();
    else if (this.s.startsWith('true', this.pos)) this.pos += 4;
    else if (this.s.startsWith('false', this.pos)) this.pos += 5;
    else if (this.s.startsWith('null', this.pos)) this.pos += 4;
    else if (ch === "'") this.fail("strings use double quotes (\"), not '");
    else this.fail(`unexpected ${describe(ch)}: expected a value`);
  }

  private object(): void {
    this.pos++; // {
    const keys = new Set<string>();
    this.ws();
    if (this.s[this.pos] === '}') { this.pos++; return; }
    for (;;) {
      this.ws();
      const ch = this.s[this.pos];
      if (ch === '}') this.fail('trailing comma before }');
      if (ch !== '"') this.fail(ch === "'" ? "property names use double quotes (\"), not '" : `unexpected ${describe(ch)}: expected a property name in double quotes`);
      const keyLine = this.here();
      const key = JSON.parse(this.s.slice(this.pos, this.string())) as string;
      if (keys.has(key)) throw new JsonSyntaxError(`duplicate key "${key}"`, keyLine.line, keyLine.column);
      keys.add(key);
      this.ws();
      if (this.s[this.pos] !== ':') this.fail(`unexpected ${describe(this.s[this.pos])}: expected ':' after the property name`);
      this.pos++;
      this.ws();
      this.value();
      this.ws();
      const next = this.s[this.pos];
      if (next === ',') { this.pos++; continue; }
      if (next === '}') { this.pos++; return; }
      this.fail(`unexpected ${describe(next)}: expected ',' or '}' after a property value`);
    }
  }

  private array(): void {
    this.pos++; // [
    this.ws();
    if (this.s[this.pos] === ']') { this.pos++; return; }
    for (;;) {
      this.ws();
      if (this.s[this.pos] === ']') this.fail('trailing comma before ]');
      this.value();
      this.ws();
      const next = this.s[this.pos];
      if (next === ',') { this.pos++; continue; }
      if (next === ']') { this.pos++; return; }
      this.fail(`unexpected ${describe(next)}: expected ',' or ']' after an array element`);
    }
  }

  /** scans a string starting at its opening quote; returns the position after the closing quote */
  private string(): number {
    this.pos++; // "
    for (;;) {
      const ch = this.s[this.pos];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '"') return ++this.pos;
      if (ch < ' ') this.fail(ch === '\n' ? 'unterminated string (a string cannot span lines)' : `${describe(ch)} in a string: escape it`);
      if (ch === '\\') {
        const e = this.s[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.pos + 2, this.pos + 6))) this.fail('bad \\u escape: expected 4 hex digits');
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail(`bad escape \\${e ?? ''}`);
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) this.fail('bad number');
    this.pos += m[0].length;
    const ch = this.s[this.pos];
    if (ch !== undefined && /[0-9.eExX_a-zA-Z]/.test(ch)) {
      this.fail(m[0] === '0' && (ch === 'x' || ch === 'X') ? 'JSON has no hex numbers: write the number in decimal or as a string ("0x…")' : 'bad number');
    }
  }

  private ws(): void {
    for (;;) {
      const ch = this.s[this.pos];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') { this.pos++; continue; }
      if (ch === '/' && (this.s[this.pos + 1] === '/' || this.s[this.pos + 1] === '*')) this.fail('JSON does not allow comments');
      return;
    }
  }

  private here(): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < this.pos; i++) if (this.s.charCodeAt(i) === 10) { line++; lineStart = i + 1; }
    return { line, column: this.pos - lineStart + 1 };
  }

  private fail(message: string): never {
    const { line, column } = this.here();
    throw new JsonSyntaxError(message, line, column);
  }
}
