import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolchainPath } from '../core/toolchain.js';

/** The browser files the dev server itself serves under /__miniapp/ (bundled from src/server/client/*.ts by scripts/build.mjs, or copied). */
export const CLIENT_ASSETS: Record<string, string> = {
  'client.js': 'text/javascript; charset=utf-8',
  'simulator.html': 'text/html; charset=utf-8',
  'simulator.js': 'text/javascript; charset=utf-8',
  'simulator.css': 'text/css; charset=utf-8',
  // The browser mock bridge generated from the bridge catalogue (src/bridge/mock, also `miniapp/bridge-mock`).
  'bridge-mock.js': 'text/javascript; charset=utf-8',
  'catalog-data.js': 'text/javascript; charset=utf-8',
  'rules.js': 'text/javascript; charset=utf-8',
};
const FROM_BRIDGE = new Set(['bridge-mock.js', 'catalog-data.js', 'rules.js']);

const dirs = new Map<string, string>();

/**
 * Where a folder of browser files is: beside this module when it runs from src/ or dist/, and under
 * dist/ when the code runs from the bundled CLI (dist/cli-bundle/).
 */
function assetDir(relativeToServer: string, fromRoot: string[], probe: string): string {
  let dir = dirs.get(probe);
  if (dir) return dir;
  const candidates = [fileURLToPath(new URL(relativeToServer, import.meta.url)), toolchainPath('dist', ...fromRoot), toolchainPath('src', ...fromRoot)];
  dir = candidates.find((d) => existsSync(join(d, probe))) ?? candidates[0]!;
  dirs.set(probe, dir);
  return dir;
}

const cache = new Map<string, Buffer>();

/** Reads a client asset (cached: they do not change while the toolchain runs). */
export async function readClientAsset(name: string): Promise<Buffer | undefined> {
  if (!Object.hasOwn(CLIENT_ASSETS, name)) return undefined;
  let data = cache.get(name);
  if (!data) {
    const dir = FROM_BRIDGE.has(name) ? assetDir('../bridge/mock/', ['bridge', 'mock'], 'bridge-mock.js') : assetDir('./client/', ['server', 'client'], 'client.js');
    data = await fs.readFile(join(dir, name));
    cache.set(name, data);
  }
  return data;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  ico: 'image/x-icon',
  bmp: 'image/bmp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
  webm: 'video/webm',
  wasm: 'application/wasm',
  xml: 'application/xml',
};

export function contentType(path: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) || 'application/octet-stream';
}

export const isHtml = (path: string) => /\.html?$/i.test(path);
