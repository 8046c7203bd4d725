/** The output formats (`--format`), without the reporters' imports: the commands' options need them first. */
export const reporterNames = ['text', 'json', 'jsonl'] as const;
export type ReporterName = (typeof reporterNames)[number];
