import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMiniappError, MiniappError, type Diagnostic } from '../core/errors/index.js';
import type { Upload } from './publish.js';

/** The HTTP status of each registry refusal; the install decision's codes are 422, anything unknown 400. */
const STATUS: Record<string, number> = {
  REGISTRY_UNAUTHORIZED: 401,
  REGISTRY_FORBIDDEN: 403,
  REGISTRY_SELF_REVIEW: 403,
  REGISTRY_FOREIGN_SIGNER: 403,
  REGISTRY_NOT_FOUND: 404,
  REGISTRY_NO_RELEASE: 404,
  REGISTRY_EXISTS: 409,
  REGISTRY_VERSION_EXISTS: 409,
  REGISTRY_INVALID_STATE: 409,
  REGISTRY_CONFORMANCE_PENDING: 409,
  REGISTRY_CONFORMANCE_FAILED: 409,
  REGISTRY_UPLOAD_TIMEOUT: 408,
  REGISTRY_UPLOAD_TOO_LARGE: 413,
  REGISTRY_STORE_UNAVAILABLE: 503,
  REGISTRY_SHUTTING_DOWN: 503,
  INTERNAL_ERROR: 500,
};
export const statusOf = (code: string) => STATUS[code] ?? (code.startsWith('REGISTRY_') ? 400 : 422);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** A refusal as the registry answers it: {ok:false, errors:[diagnostics]} with the code's HTTP status. */
export function sendError(res: ServerResponse, err: unknown): string {
  const e = isMiniappError(err) ? err : new MiniappError('INTERNAL_ERROR', { reason: 'the registry hit an unexpected error (logged)' });
  const errors: Diagnostic[] = [e.toDiagnostic(), ...e.diagnostics];
  // A coded error rebuilt from a value (the install decision's) keeps its own message.
  errors[0] = { ...errors[0]!, message: e.message, hint: e.hint };
  if (!res.headersSent) sendJson(res, statusOf(e.code), { ok: false, errors });
  else res.destroy();
  return e.code;
}

export async function readJson(req: IncomingMessage, limit = 256 * 1024): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new MiniappError('REGISTRY_UPLOAD_TOO_LARGE', { limit });
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `the body is not a JSON object (${(err as Error).message})` });
  }
}

/**
 * Streams an upload to a temp file, hashing it on the way, within a size cap and a deadline. Any failure
 * removes the temp file: an upload is kept whole or not at all.
 */
export function receiveUpload(req: IncomingMessage, tempPath: string, limits: { maxBytes: number; timeoutMs: number }): Promise<Upload> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.maxBytes) return Promise.reject(new MiniappError('REGISTRY_UPLOAD_TOO_LARGE', { limit: limits.maxBytes }));
  return new Promise<Upload>((resolve, reject) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = []; // kept too (the size is capped): the decision reads the bytes without reading the file back
    const out = createWriteStream(tempPath, { flags: 'wx', mode: 0o600 });
    let size = 0;
    let settled = false;
    const fail = (error: MiniappError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.unpipe(out);
      out.destroy();
      req.resume(); // drain what the client still sends, so it reads our answer
      import('node:fs').then((fs) => fs.promises.rm(tempPath, { force: true })).finally(() => reject(error));
    };
    const timer = setTimeout(() => fail(new MiniappError('REGISTRY_UPLOAD_TIMEOUT', { timeoutMs: limits.timeoutMs })), limits.timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) return fail(new MiniappError('REGISTRY_UPLOAD_TOO_LARGE', { limit: limits.maxBytes }));
      hash.update(chunk);
      chunks.push(chunk);
    });
    req.on('aborted', () => fail(new MiniappError('REGISTRY_UPLOAD_INCOMPLETE')));
    req.on('error', () => fail(new MiniappError('REGISTRY_UPLOAD_INCOMPLETE')));
    out.on('error', (err) => fail(new MiniappError('REGISTRY_BAD_REQUEST', { reason: `the upload could not be stored: ${err.message}` })));
    out.on('finish', () => {
      if (settled) return;
      if (!req.complete) return fail(new MiniappError('REGISTRY_UPLOAD_INCOMPLETE'));
      settled = true;
      clearTimeout(timer);
      resolve({ tempPath, sha256: hash.digest('hex'), size, bytes: Buffer.concat(chunks, size) });
    });
    req.pipe(out);
  });
}

/** One `bytes=a-b` range of a file of `size` bytes; undefined when absent, 'invalid' when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'invalid' : { start, end };
}
