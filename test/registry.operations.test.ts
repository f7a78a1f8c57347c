import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, startTestRegistry } from './helpers/registry.js';
import { seed, shop } from './registry-suite.js';

/** A raw upload whose body the test sends piece by piece (fetch would send it all at once). */
function slowUpload(url: string, token: string, total: number) {
  const u = new URL(`${url}/api/publish`);
  const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': total } });
  const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  return { req, answer };
}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!cond() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
};

describe('operating the registry', () => {
  it('graceful shutdown finishes an upload in flight, then refuses new connections', async () => {
    const t = await startTestRegistry('embedded');
    const tokens = await seed(t);
    const bytes = shop({ version: '1.0.0' });
    const { req, answer } = slowUpload(t.url, tokens.acme, bytes.length);
    req.write(bytes.subarray(0, 1000));
    await waitFor(() => t.server.inFlight === 1);
    const closing = t.server.close();
    await new Promise((r) => setTimeout(r, 100));
    req.end(bytes.subarray(1000));
    expect((await answer).status).toBe(201);
    await closing;
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });

  it('an upload cut off, too large or too slow leaves nothing behind, and the server keeps serving', async () => {
    const t = await startTestRegistry('embedded');
    const tokens = await seed(t);
    const bytes = shop({ version: '1.0.0' });
    const tmp = join(t.dir, 'tmp');

    const cut = slowUpload(t.url, tokens.acme, bytes.length);
    cut.answer.catch(() => undefined);
    cut.req.write(bytes.subarray(0, 1000));
    await waitFor(() => readdirSync(tmp).length === 1);
    cut.req.destroy(); // the client (or its machine) dies mid-upload
    await waitFor(() => readdirSync(tmp).length === 0);
    expect(readdirSync(tmp)).toEqual([]);
    expect(await t.registry.store.versions()).toEqual([]);
    await t.close();

    // A registry with a small cap and a short deadline.
    const small = await startTestRegistry('embedded', { maxUploadBytes: 1000, uploadTimeoutMs: 300 });
    try {
      const seeded = await seed(small);
      const big = await api(small.url, '/api/publish', seeded.acme, bytes);
      expect({ status: big.status, code: big.json.errors[0].code }).toEqual({ status: 413, code: 'REGISTRY_UPLOAD_TOO_LARGE' });
      const slow = slowUpload(small.url, seeded.acme, 900);
      slow.req.write(bytes.subarray(0, 100));
      const refused = await slow.answer;
      expect({ status: refused.status, code: refused.body.errors[0].code }).toEqual({ status: 408, code: 'REGISTRY_UPLOAD_TIMEOUT' });
      slow.req.destroy();
      expect(await small.registry.store.versions()).toEqual([]);
      expect(readdirSync(join(small.dir, 'tmp'))).toEqual([]);
      expect((await api(small.url, '/healthz', undefined)).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
