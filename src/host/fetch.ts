import { MiniappError } from '../core/errors/index.js';
import { readPackageFile } from '../package/file.js';
import { DEFAULT_PACKAGE_LIMITS } from '../package/limits.js';

export interface FetchOptions {
  cwd?: string;
  /** Largest download, in bytes (default: the strict reader's package limit). */
  maxBytes?: number;
  /** Whole-download deadline for URLs, in ms (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const isUrl = (source: string) => /^https?:\/\//i.test(source);

/**
 * Fetches package bytes from a local file or an http(s) URL. A download is refused as soon as its
 * declared length or the bytes received pass the cap, so a hostile server cannot make the host buffer
 * without bound, and it is abandoned at the deadline.
 */
export async function fetchPackageBytes(source: string, options: FetchOptions = {}): Promise<Buffer> {
  const maxBytes = options.maxBytes ?? DEFAULT_PACKAGE_LIMITS.maxPackageBytes;
  if (!isUrl(source)) {
    try {
      return await readPackageFile(source, { cwd: options.cwd, maxPackageBytes: maxBytes });
    } catch (err) {
      if (err instanceof MiniappError && err.code === 'PACKAGE_FILE_TOO_LARGE') throw new MiniappError('FETCH_TOO_LARGE', { source, limit: maxBytes }, { cause: err });
      throw err;
    }
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const timedOut = (err: unknown) => (timeout.aborted ? new MiniappError('FETCH_TIMEOUT', { source, timeoutMs }, { cause: err }) : undefined);
  let response: Response;
  try {
    response = await fetch(source, { signal, redirect: 'error' });
  } catch (err) {
    throw timedOut(err) ?? new MiniappError('FETCH_FAILED', { source, reason: (err as Error).message }, { cause: err });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new MiniappError('FETCH_FAILED', { source, reason: `the server answered ${response.status}` });
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    throw new MiniappError('FETCH_TOO_LARGE', { source, limit: maxBytes });
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new MiniappError('FETCH_TOO_LARGE', { source, limit: maxBytes });
      }
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } catch (err) {
    if (err instanceof MiniappError) throw err;
    throw timedOut(err) ?? new MiniappError('FETCH_FAILED', { source, reason: (err as Error).message }, { cause: err });
  }
  return Buffer.concat(chunks, received);
}
