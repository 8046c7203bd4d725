/** Reporter name → constructor (adding a format = adding one file here). */
import type { ChalkInstance } from 'chalk';
import type { Reporter } from '../replay/decision.js';
import { JsonReporter } from './json.js';
import { JsonlReporter } from './jsonl.js';
import { TextReporter } from './text.js';
import type { Writer } from './writer.js';

import type { ReporterName } from './names.js';
export { reporterNames } from './names.js';
export type { ReporterName } from './names.js';

export function makeReporter(name: ReporterName, w: Writer, chalk: ChalkInstance): Reporter {
  switch (name) {
    case 'json': return new JsonReporter(w);
    case 'jsonl': return new JsonlReporter(w);
    case 'text': return new TextReporter(w, chalk);
  }
}
export { Writer } from './writer.js';
