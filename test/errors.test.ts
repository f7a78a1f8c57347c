import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnostic, errorCatalog, isMiniappError, MiniappError, renderErrorCatalogMarkdown } from '../src/core/errors/index.js';

describe('error catalogue', () => {
  it('a code outside the catalogue does not compile (npm run typecheck), and throws if forced', () => {
    // @ts-expect-error ErrorCode is the union of the catalogue's codes, nothing else
    expect(() => new MiniappError('NOT_A_CATALOGUE_CODE')).toThrow(/unknown error code NOT_A_CATALOGUE_CODE/);
  });

  it('docs/errors.md lists every code exactly as the catalogue says (run `npm run docs` to update)', () => {
    const committed = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderErrorCatalogMarkdown());
  });

  it('every code is UPPER_SNAKE and has a title, a message and a hint', () => {
    for (const [code, def] of Object.entries(errorCatalog)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(def.title.length).toBeGreaterThan(3);
      expect(def.message({}).length).toBeGreaterThan(3);
      expect(def.hint({}).length).toBeGreaterThan(3);
    }
  });

  it('MiniappError keeps its code, hint and cause', () => {
    const cause = new Error('disk on fire');
    const err = new MiniappError('WRITE_FAILED', { path: 'dist/a.zip', reason: 'ENOSPC' }, { cause });
    expect(err.code).toBe('WRITE_FAILED');
    expect(err.message).toContain('dist/a.zip');
    expect(err.hint).toMatch(/writable/);
    expect(err.cause).toBe(cause);
    expect(err.exitCode).toBe(1);
    expect(err.toDiagnostic()).toMatchObject({ code: 'WRITE_FAILED', severity: 'error' });
  });

  it('usage and configuration errors exit 2', () => {
    expect(new MiniappError('USAGE_ERROR').exitCode).toBe(2);
    expect(new MiniappError('CONFIG_INVALID', { reason: 'x' }).exitCode).toBe(2);
  });

  it('refuses codes that are not in the catalogue', () => {
    // @ts-expect-error not a catalogue code (the compiler refuses it too)
    expect(() => diagnostic('NO_SUCH_CODE')).toThrow(/unknown error code/);
  });
});

describe('error catalogue files', () => {
  it('define each code once: a second definition would silently replace the first', async () => {
    const { readdirSync } = await import('node:fs');
    const dir = new URL('../src/core/errors/catalog/', import.meta.url);
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const mod = (await import(new URL(file, dir).href)) as Record<string, Record<string, unknown>>;
      for (const catalog of Object.values(mod)) {
        for (const code of Object.keys(catalog)) {
          if (seen.has(code)) dupes.push(`${code} (${seen.get(code)} and ${file})`);
          seen.set(code, file);
        }
      }
    }
    expect(dupes).toEqual([]);
  });
});

describe('errors across bundles', () => {
  it('isMiniappError recognises an error made by another copy of the module (each CLI command is its own bundle)', () => {
    const foreign = Object.assign(new Error('x'), { code: 'PATH_NOT_FOUND' });
    Object.defineProperty(foreign, Symbol.for('miniapp.error'), { value: true });
    expect(isMiniappError(foreign)).toBe(true);
    expect(isMiniappError(new Error('plain'))).toBe(false);
    expect(isMiniappError(new MiniappError('PATH_NOT_FOUND', { path: 'a' }))).toBe(true);
  });
});
