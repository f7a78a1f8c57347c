import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MiniappError, type Diagnostic } from '../core/errors/index.js';

export interface ClientAnswer<T = unknown> {
  ok: boolean;
  status: number;
  result?: T;
  errors: Diagnostic[];
}

/** The registry token for a client command: MINIAPP_REGISTRY_TOKEN, or the first line of --token-file. Never a flag value. */
export async function readToken(env: Readonly<Record<string, string | undefined>>, tokenFile: string | undefined, cwd: string): Promise<string> {
  if (tokenFile) {
    try {
      const token = (await readFile(resolve(cwd, tokenFile), 'utf8')).split(/\r?\n/)[0]!.trim();
      if (token) return token;
    } catch (err) {
      throw new MiniappError('FILE_UNREADABLE', { path: tokenFile, reason: (err as Error).message }, { cause: err });
    }
  }
  const token = env.MINIAPP_REGISTRY_TOKEN?.trim();
  if (!token) throw new MiniappError('REGISTRY_TOKEN_MISSING');
  return token;
}

export function registryBase(url: unknown): string {
  if (typeof url !== 'string' || !/^https?:\/\/[^/]/i.test(url)) throw new MiniappError('USAGE_ERROR', { reason: `--registry ${JSON.stringify(url ?? '')} must be the registry's http(s) base URL` });
  return url.replace(/\/+$/, '');
}

/** One call to the registry's JSON API; its refusals come back as values (the server's own diagnostics). */
export async function callRegistry<T>(
  base: string,
  path: string,
  o: { token: string; method?: string; body?: unknown; bytes?: Uint8Array; signal?: AbortSignal; timeoutMs?: number },
): Promise<ClientAnswer<T>> {
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 120_000);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: o.method ?? (o.body !== undefined || o.bytes ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${o.token}`, ...(o.bytes ? { 'content-type': 'application/zip' } : o.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: (o.bytes as unknown as BodyInit | undefined) ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      signal,
      redirect: 'error',
    });
  } catch (err) {
    throw new MiniappError(
      'REGISTRY_UNREACHABLE',
      { url: base, reason: timeout.aborted ? 'no answer in time' : (((err as Error).cause as Error | undefined)?.message ?? (err as Error).message) },
      { cause: err },
    );
  }
  const text = await response.text();
  let body: { ok?: boolean; result?: T; errors?: Diagnostic[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new MiniappError('REGISTRY_UNREACHABLE', { url: base, reason: `it answered ${response.status} with something that is not the registry's JSON` });
  }
  return { ok: response.ok && body.ok === true, status: response.status, result: body.result, errors: body.errors ?? [] };
}
