import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { locateSignature, signedData } from '../../src/index.js';
import { binPath, repoRoot } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

/**
 * The documents' own snippets, run as written: a host team copies them, so they must work. The OpenSSL
 * lines of package-format.md run with the real binary; the WebCrypto function runs in real Chromium
 * (a secure context: a page served from 127.0.0.1) over the test vectors.
 */
const doc = readFileSync(join(repoRoot, 'docs', 'package-format.md'), 'utf8');
const vectors = join(repoRoot, 'test-vectors');
const work = tempDir('snippets');

/** The first fenced block of `lang` after `marker` in the document. */
function snippetAfter(marker: string, lang: string): string {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`package-format.md has no ${JSON.stringify(marker)}`);
  const open = doc.indexOf(`\`\`\`${lang}\n`, at);
  const close = doc.indexOf('\n```', open + 1);
  return doc.slice(open + lang.length + 4, close);
}

const haveOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(haveOpenssl || process.env.CI)('package-format.md: checking a signature with OpenSSL alone', () => {
  it('the documented lines, run as written on a signed package, print "Verified OK"', () => {
    const lines = snippetAfter('### Checking a signature with OpenSSL alone', 'sh')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(lines).toHaveLength(2);
    copyFileSync(join(vectors, 'packages/good.zip'), join(work, 'app.zip'));
    copyFileSync(join(vectors, 'keys/test-only.pub.pem'), join(work, 'pub.pem'));
    const script = lines.map((l) => l.replace(/#.*$/, '').replace(/^miniapp /, `"${process.execPath}" "${binPath}" `)).join('\n');
    const out = execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, env: { ...process.env, NO_COLOR: '1' } }).toString();
    expect(out.trim().split('\n').pop()).toBe('Verified OK');
  });

  it('the same line refuses a wrong-salt signature by the right key', () => {
    const line = snippetAfter('### Checking a signature with OpenSSL alone', 'sh')
      .split('\n')
      .find((l) => l.startsWith('openssl'))!;
    const salted = readFileSync(join(vectors, 'packages/pss-salt-20.zip'));
    const located = locateSignature(salted)!;
    const dir = join(work, 'salt');
    mkdirSync(join(dir, 'out'), { recursive: true });
    writeFileSync(join(dir, 'out', 'signed-data.bin'), signedData(located.block.header, located.archive));
    writeFileSync(join(dir, 'out', 'signature.bin'), located.block.signature);
    copyFileSync(join(vectors, 'keys/test-only.pub.pem'), join(dir, 'pub.pem'));
    expect(() => execFileSync('bash', ['-c', line], { cwd: dir, stdio: 'pipe' })).toThrow();
  });
});

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && !process.env.CI) console.warn(`[doc snippets] WebCrypto skipped: no browser at ${CHROMIUM} (apt-get install chromium to run it)`);

describe.runIf(haveBrowser || process.env.CI)('package-format.md: checking a signature with WebCrypto, in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let origin = '';

  beforeAll(async () => {
    if (!haveBrowser) throw new Error(`CI is set but there is no browser at ${CHROMIUM}: .ci/run must install chromium`);
    server = createServer((_req, res) => res.end('<!doctype html><title>snippet</title>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('the documented function verifies good.zip and refuses every wrong signature by the same key', async () => {
    const code = snippetAfter('<!-- snippet: webcrypto-verify -->', 'js');
    const pem = readFileSync(join(vectors, 'keys/test-only.pub.pem'), 'utf8');
    const cases = ['good.zip', 'tampered-entry.zip', 'pss-salt-20.zip', 'pss-salt-max.zip', 'pkcs1-v1_5.zip', 'other-key-claiming-test-key.zip'].map((name) => {
      const located = locateSignature(readFileSync(join(vectors, 'packages', name)))!;
      return { name, data: signedData(located.block.header, located.archive).toString('base64'), signature: Buffer.from(located.block.signature).toString('base64') };
    });
    const page = await browser.newPage();
    await page.goto(origin);
    const results = await page.evaluate(
      async ({ code, pem, cases }) => {
        const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        // The snippet exactly as the document has it, declared in the page.
        const verify = new Function(`${code}\nreturn verifyMiniappSignature;`)() as (pem: string, data: Uint8Array, sig: Uint8Array) => Promise<boolean>;
        const out: Record<string, boolean> = { secureContext: isSecureContext };
        for (const c of cases) out[c.name] = await verify(pem, bytes(c.data), bytes(c.signature));
        return out;
      },
      { code, pem, cases },
    );
    expect(results).toEqual({
      secureContext: true,
      'good.zip': true,
      'tampered-entry.zip': false,
      'pss-salt-20.zip': false,
      'pss-salt-max.zip': false,
      'pkcs1-v1_5.zip': false,
      'other-key-claiming-test-key.zip': false,
    });
    await page.close();
  }, 60_000);
});
