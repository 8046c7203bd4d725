// The context columns of an ftrace text line as the kernel prints them (kernel/trace/trace_output.c
// trace_print_context() of v6.18): `"%16s-%-7d "` for comm and pid, `"[%03d] "`, the five irq-flag
// characters, then `" %5lu.%06lu: "`. `task` is "comm-pid" (the pid after the last dash). Shared by the benches'
// trace generators, so that their lines have the shape of a real capture.
export function traceContext(task, cpu, flags, t) {
  const dash = task.lastIndexOf('-');
  const comm = task.slice(0, dash).padStart(16);
  const pid = task.slice(dash + 1).padEnd(7);
  return `${comm}-${pid} [${String(cpu).padStart(3, '0')}] ${flags} ${t.toFixed(6).padStart(12)}: `;
}
