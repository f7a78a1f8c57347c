import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from './temp.js';

export const MANIFEST = {
  id: 'com.example.devapp',
  version: '1.0.0',
  minHostVersion: '3.0.0',
  entryPoint: 'index.html',
  permissions: ['payment', 'storage', 'auth', 'geolocation'],
  allowedDomains: ['api.example.com'],
  name: 'Dev App',
};

/** A small mini-program project in a temp folder: a module script, a stylesheet and public/. */
export function makeProject(files: Record<string, string> = {}): { dir: string; write(path: string, text: string): void; cleanup(): void } {
  const dir = tempDir('serve');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const defaults: Record<string, string> = {
    'manifest.json': JSON.stringify(MANIFEST, null, 2),
    'index.html':
      '<!doctype html><html><head><meta charset="utf-8"><title>Dev App</title><link rel="stylesheet" href="./src/style.css"></head><body><h1 id="title">loading</h1><script type="module" src="./src/main.js"></script></body></html>',
    'src/main.js': "import { message } from './message.js';\ndocument.getElementById('title').textContent = message;\n",
    'src/message.js': "export const message = 'hello v1';\n",
    'src/style.css': 'body { font-family: sans-serif; }\n',
    'public/robots.txt': 'User-agent: *\n',
  };
  for (const [p, t] of Object.entries({ ...defaults, ...files })) write(p, t);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/** Polls until check() is truthy (file watching is asynchronous), and returns that value. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Truthy<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
