import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolchainPath } from '../core/toolchain.js';

/** The browser files the dev server itself serves under /__miniapp/ (plain JS, copied to dist as they are). */
export const CLIENT_ASSETS: Record<string, string> = {
  'client.js': 'text/javascript; charset=utf-8',
  'simulator.html': 'text/html; charset=utf-8',
  'simulator.js': 'text/javascript; charset=utf-8',
  'simulator.css': 'text/css; charset=utf-8',
  'bridge-mock.js': 'text/javascript; charset=utf-8',
};

let assetDir: string | undefined;

/**
 * Where the client assets are: beside this module when it runs from src/ or dist/, and under
 * dist/server/client when the code runs from the bundled CLI (dist/cli-bundle/).
 */
function clientDir(): string {
  if (assetDir) return assetDir;
  const candidates = [fileURLToPath(new URL('./client/', import.meta.url)), toolchainPath('dist', 'server', 'client'), toolchainPath('src', 'server', 'client')];
  assetDir = candidates.find((d) => existsSync(join(d, 'client.js'))) ?? candidates[0]!;
  return assetDir;
}

const cache = new Map<string, Buffer>();

/** Reads a client asset (cached: they do not change while the toolchain runs). */
export async function readClientAsset(name: string): Promise<Buffer | undefined> {
  if (!Object.hasOwn(CLIENT_ASSETS, name)) return undefined;
  let data = cache.get(name);
  if (!data) {
    data = await fs.readFile(join(clientDir(), name));
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
