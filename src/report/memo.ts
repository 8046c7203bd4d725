/**
 * A reporter's text per (task, pid), remembered: a trace's events come from a few tasks, so the text of each
 * (its escaped JSON, its padded column) is built once. Direct-mapped by the pid's low bits; a slot holds the last
 * (task, pid) seen there, so an exec (same pid, new comm) or a colliding pid only rebuilds.
 */
const SLOTS = 256;

export class TaskPidText {
  private readonly task: string[] = new Array<string>(SLOTS).fill('');
  /** NaN: empty (no pid equals it) */
  private readonly pid = new Float64Array(SLOTS).fill(Number.NaN);
  private readonly text: string[] = new Array<string>(SLOTS).fill('');
  private readonly build: (task: string, pid: number) => string;

  constructor(build: (task: string, pid: number) => string) {
    this.build = build;
  }

  get(task: string, pid: number): string {
    const slot = pid & (SLOTS - 1);
    if (this.pid[slot] === pid && this.task[slot] === task) return this.text[slot]!;
    const text = this.build(task, pid);
    this.pid[slot] = pid;
    this.task[slot] = task;
    this.text[slot] = text;
    return text;
  }
}
