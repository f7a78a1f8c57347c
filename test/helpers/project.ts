import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from './temp.js';

export const baseManifest = {
  id: 'com.example.shop',
  version: '1.2.3',
  minHostVersion: '3.0.0',
  entryPoint: 'index.html',
  permissions: ['storage'],
  allowedDomains: ['api.example.com'],
};

/** Writes a small mini-program project into a fresh temp dir and returns its path. */
export function makeProject(files: Record<string, string | Uint8Array> = {}, manifest: Record<string, unknown> = {}): string {
  const dir = tempDir('build');
  const all: Record<string, string | Uint8Array> = {
    'manifest.json': `${JSON.stringify({ ...baseManifest, ...manifest }, null, 2)}\n`,
    'index.html': '<!doctype html>\n<html><head><link rel="stylesheet" href="./src/style.css"></head>\n<body><script type="module" src="./src/main.ts"></script></body></html>\n',
    'src/main.ts': "import { greet } from './greet';\nconst bridge = (window as any).MiniAppBridge;\nbridge.call('storage.set', { key: 'k', value: greet('x') });\n",
    'src/greet.ts': 'export function greet(name: string): string {\n  const longDescriptiveName = `hello ${name}`;\n  return longDescriptiveName;\n}\n',
    'src/style.css': 'body { color: rebeccapurple; }\n',
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

export interface ScriptAppOptions {
  /** HTML placed in the body before the script. */
  body?: string;
  manifest?: Record<string, unknown>;
  /** More files beside app.js, by package path. */
  files?: Record<string, string>;
}

/**
 * One small app in `<temp>/app`: a manifest (id `com.partner.<name>`, storage, api.partner.com), an
 * index.html with `body` before `<script src="app.js">`, and the script. Its parent folder is free for a
 * run's data dir and host key.
 */
export function scriptApp(name: string, script: string, options: ScriptAppOptions = {}): string {
  const dir = join(tempDir(name), 'app');
  const manifest = { id: `com.partner.${name}`, version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage'], allowedDomains: ['api.partner.com'] };
  const files = {
    'manifest.json': JSON.stringify({ ...manifest, ...options.manifest }),
    'index.html': `<!doctype html><body>${options.body ?? ''}<script src="app.js"></script></body>`,
    'app.js': script,
    ...options.files,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}
