/**
 * Request log lines, written together once per event-loop turn: under load a turn answers many requests,
 * and one write of all their lines (in order) costs one system call instead of one per request (a write to
 * a pipe or file is synchronous in Node on Linux, on the path of every answer). flush() writes what waits.
 */
export function batchLines(write: (text: string) => void): { line: (line: string) => void; flush: () => void } {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('\n');
    pending = [];
    write(text);
  };
  return {
    line(line) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
