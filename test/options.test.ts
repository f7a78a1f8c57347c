import { describe, expect, it } from 'vitest';
import { MiniappError } from '../src/core/errors/index.js';
import { envName, resolveOptions, type OptionSpec } from '../src/core/options.js';

const specs: OptionSpec[] = [
  { name: 'profile', flags: '--profile <name>', description: '', type: 'string', choices: ['dev', 'release'], default: 'dev' },
  { name: 'strict', flags: '--strict', description: '', type: 'boolean', default: false },
  { name: 'budget', flags: '--budget <bytes>', description: '', type: 'number', default: 2_000_000 },
  { name: 'target', flags: '--target <list>', description: '', type: 'list' },
  { name: 'key', flags: '--key <file>', description: '', type: 'string', configurable: false },
];
const allSpecs = { validate: specs, build: [{ name: 'mode', flags: '--mode <m>', description: '', type: 'string' as const }] };
const resolve = (s: Partial<Parameters<typeof resolveOptions>[0]>) => resolveOptions({ command: 'validate', specs, allSpecs, ...s });

function configError(fn: () => unknown): MiniappError {
  try {
    fn();
  } catch (err) {
    if (err instanceof MiniappError) return err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('resolveOptions', () => {
  it('applies defaults < config < env < flags', () => {
    expect(resolve({})).toEqual({ profile: 'dev', strict: false, budget: 2_000_000 });
    expect(resolve({ config: { profile: 'release' } }).profile).toBe('release');
    expect(resolve({ config: { profile: 'release' }, env: { MINIAPP_PROFILE: 'dev' } }).profile).toBe('dev');
    expect(resolve({ config: { profile: 'release' }, env: { MINIAPP_PROFILE: 'dev' }, flags: { profile: 'release' } }).profile).toBe('release');
  });

  it("reads per-command sections and ignores other commands' sections", () => {
    expect(resolve({ config: { validate: { strict: true }, build: { mode: 'development' } } })).toMatchObject({ strict: true });
  });

  it('accepts a flat key that belongs to another command', () => {
    expect(resolve({ config: { mode: 'development' } })).not.toHaveProperty('mode');
  });

  it('coerces environment text by type', () => {
    expect(resolve({ env: { MINIAPP_STRICT: 'true', MINIAPP_BUDGET: '1024', MINIAPP_TARGET: 'es2019, chrome80' } })).toMatchObject({ strict: true, budget: 1024, target: ['es2019', 'chrome80'] });
  });

  it.each([
    [{ config: { profil: 'release' } }, 'unknown option "profil"'],
    [{ config: { validate: { stric: true } } }, 'unknown option "validate.stric"'],
    [{ config: { profile: 'prod' } }, 'must be one of dev, release'],
    [{ config: { budget: 'big' } }, 'must be a number'],
    [{ config: [] }, 'must be a JSON object'],
    [{ env: { MINIAPP_STRICT: 'maybe' } }, 'must be true or false'],
    [{ config: { key: 'secret.pem' } }, 'unknown option "key"'],
  ])('rejects %j', (sources, message) => {
    const err = configError(() => resolve(sources));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.diagnostics[0]!.message).toContain(message);
  });

  it('does not read secrets from the environment mapping', () => {
    expect(resolve({ env: { MINIAPP_KEY: 'x' } })).not.toHaveProperty('key');
  });

  it('names environment variables in upper snake case', () => {
    expect(envName('newestHostVersion')).toBe('MINIAPP_NEWEST_HOST_VERSION');
  });
});
