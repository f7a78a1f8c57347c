import type { Duplex } from 'node:stream';

/** Longest line (one message) a side accepts; a longer one is a protocol violation (default 64 MB). */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Newline-delimited JSON over a pipe: the sandbox's message channel. A raw pipe with JSON lines
 * round-trips in about half the time of Node's IPC channel (measured: ~70 us against ~135 us on
 * these machines), and JSON keeps every message plain data by construction. Each chunk is scanned
 * once (a large message arrives in many chunks), and a line over the cap is refused, so a hostile
 * side cannot make the other buffer without bound.
 */
export function lineChannel(
  stream: Duplex,
  onMessage: (message: unknown) => void,
  onBadLine?: (line: string) => void,
  onOverflow?: () => void,
): (message: unknown) => void {
  let parts: string[] = [];
  let partLength = 0;
  let overflowed = false;
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    if (overflowed) return;
    let start = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      const piece = chunk.slice(start, nl);
      const line = parts.length ? parts.join('') + piece : piece;
      parts = [];
      partLength = 0;
      start = nl + 1;
      if (!line) continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        onBadLine?.(line.slice(0, 200));
        continue;
      }
      onMessage(message);
    }
    if (start < chunk.length) {
      parts.push(start ? chunk.slice(start) : chunk);
      partLength += chunk.length - start;
      if (partLength > MAX_LINE_CHARS) {
        overflowed = true;
        parts = [];
        onOverflow?.();
      }
    }
  });
  return (message) => {
    if (!stream.destroyed && stream.writable) stream.write(`${JSON.stringify(message)}\n`);
  };
}
