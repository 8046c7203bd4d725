import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJson } from '../../src/scenario/json.js';

/** the error of parsing `text`, as `line:col: message` */
function err(text: string): string {
  try {
    parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return `${e.line}:${e.column}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('parseJson', () => {
  it('when the text is valid JSON then the value is what JSON.parse gives', () => {
    const text = '\uFEFF{ "a": [1, -2.5e3, "x\\u0041\\n"], "b": { "c": null, "d": true, "e": false } }';
    expect(parseJson(text)).toEqual({ a: [1, -2500, 'xA\n'], b: { c: null, d: true, e: false } });
  });

  it('when a comma is missing then the position is the token after the value', () => {
    // line 4 is `  "requests": []`; its first quote is column 3
    expect(err('{\n  "name": "x",\n  "description": "y"\n  "requests": []\n}')).toMatchInlineSnapshot(
      `"4:3: unexpected '"': expected ',' or '}' after a property value"`);
  });

  it('when a trailing comma is left then it is named', () => {
    expect(err('{\n  "a": [1, 2,]\n}')).toMatchInlineSnapshot(`"2:14: trailing comma before ]"`);
    expect(err('{ "a": 1, }')).toMatchInlineSnapshot(`"1:11: trailing comma before }"`);
  });

  it('when a key repeats then the second occurrence is an error, although JSON.parse would keep the last', () => {
    expect(err('{\n  "order": 1,\n  "order": 2\n}')).toMatchInlineSnapshot(`"3:3: duplicate key "order""`);
  });

  it('when the text uses JavaScript habits then the message says what JSON wants', () => {
    expect(err("{ 'a': 1 }")).toMatchInlineSnapshot(`"1:3: property names use double quotes ("), not '"`);
    expect(err('{ "a": 0x10 }')).toMatchInlineSnapshot(`"1:9: JSON has no hex numbers: write the number in decimal or as a string ("0x…")"`);
    expect(err('{ // note\n "a": 1 }')).toMatchInlineSnapshot(`"1:3: JSON does not allow comments"`);
    expect(err('{ "a": tru }')).toMatchInlineSnapshot(`"1:8: unexpected 't': expected a value"`);
  });

  it('when the text ends early or is empty then that is the message', () => {
    expect(err('{ "a": [1, 2')).toMatchInlineSnapshot(`"1:13: unexpected end of file: expected ',' or ']' after an array element"`);
    expect(err('  \n')).toMatchInlineSnapshot(`"2:1: empty file: expected a JSON object"`);
    expect(err('{ "a": "abc\n" }')).toMatchInlineSnapshot(`"1:12: unterminated string (a string cannot span lines)"`);
    expect(err('{} {}')).toMatchInlineSnapshot(`"1:4: unexpected '{' after the end of the JSON value"`);
  });
});
