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

/**
 * One call to the registry's JSON API; its refusals come back as values (the server's own diagnostics).
 * node:http rather than fetch: a command makes one call and exits, and fetch (undici) costs a CLI process
 * both its load and a kept-alive socket that holds the process open after the answer. No agent, so the
 * connection closes with the answer; redirects are not followed (a registry answers its API itself).
 */
export async function callRegistry<T>(
  base: string,
  path: string,
  o: { token: string; method?: string; body?: unknown; bytes?: Uint8Array; signal?: AbortSignal; timeoutMs?: number },
): Promise<ClientAnswer<T>> {
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 120_000);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  const payload = o.bytes ?? (o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body)));
  const headers: Record<string, string> = { authorization: `Bearer ${o.token}` };
  if (payload) Object.assign(headers, { 'content-type': o.bytes ? 'application/zip' : 'application/json', 'content-length': String(payload.byteLength) });
  let answer: { status: number; text: string };
  try {
    answer = await send(new URL(`${base}${path}`), { method: o.method ?? (payload ? 'POST' : 'GET'), headers, payload, signal });
  } catch (err) {
    const reason = timeout.aborted ? 'no answer in time' : (err as Error).message;
    throw new MiniappError('REGISTRY_UNREACHABLE', { url: base, reason }, { cause: err });
  }
  let body: { ok?: boolean; result?: T; errors?: Diagnostic[] };
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    throw new MiniappError('REGISTRY_UNREACHABLE', { url: base, reason: `it answered ${answer.status} with something that is not the registry's JSON` });
  }
  const ok = answer.status >= 200 && answer.status < 300;
  return { ok: ok && body.ok === true, status: answer.status, result: body.result, errors: body.errors ?? [] };
}

/** One request on its own connection; the answer's status and text, or the transport's error. */
async function send(url: URL, o: { method: string; headers: Record<string, string>; payload?: Uint8Array; signal: AbortSignal }): Promise<{ status: number; text: string }> {
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method, headers: o.headers, agent: false, signal: o.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.payload);
  });
}
