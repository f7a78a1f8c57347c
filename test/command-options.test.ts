import { Option } from 'commander';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { commands } from '../src/cli/registry.js';
import * as specs from '../src/commands/options.js';
import { defineCommand, type CommandContext, type CommandResult, type OptionsOf } from '../src/commands/types.js';
import { resolveOptions, type OptionSpec } from '../src/core/options.js';

/**
 * Commands receive `OptionsOf<typeof xOptions>`: the type checks here run in `npm run typecheck` (an unused
 * `@ts-expect-error` is itself an error, so each one fails if a wrong use starts to compile); the runtime
 * checks tie the specs to what commander and resolveOptions really produce.
 */
const sample = [
  { name: 'strict', flags: '--strict', description: '', type: 'boolean', default: false },
  { name: 'out', flags: '--out <file>', description: '', type: 'string' },
  { name: 'profile', flags: '--profile <name>', description: '', type: 'string', choices: ['dev', 'release'], default: 'dev' },
  { name: 'mode', flags: '--mode <mode>', description: '', type: 'string', choices: ['a', 'b'] },
  { name: 'port', flags: '--port <n>', description: '', type: 'number', default: 8080 },
  { name: 'after', flags: '--after <n>', description: '', type: 'number' },
  { name: 'target', flags: '--target <list>', description: '', type: 'list', default: ['es2019'] },
  { name: 'grant', flags: '--grant <list>', description: '', type: 'list' },
  { name: 'levels', flags: '--levels <list>', description: '', type: 'list', choices: ['x', 'y'] },
  { name: 'conformance', flags: '--no-conformance', description: '', type: 'boolean' },
  { name: 'cleared', flags: '--cleared <v>', description: '', type: 'string', default: undefined },
] as const satisfies readonly OptionSpec[];

describe('OptionsOf: each spec becomes its TypeScript type', () => {
  it('maps type, choices, defaults, lists and --no-x flags', () => {
    expectTypeOf<OptionsOf<typeof sample>>().toEqualTypeOf<{
      readonly strict: boolean;
      readonly out?: string;
      readonly profile: 'dev' | 'release';
      readonly mode?: 'a' | 'b';
      readonly port: number;
      readonly after?: number;
      readonly target: string[];
      readonly grant?: string[];
      readonly levels?: ('x' | 'y')[];
      readonly conformance?: boolean;
      readonly cleared?: string;
    }>();
  });

  it('refuses a misspelt name, a wrong type and a value outside the choices', () => {
    const read = (o: OptionsOf<typeof specs.buildOptions>) => {
      // @ts-expect-error no such option: "outdir" is "outDir"
      void o.outdir;
      // @ts-expect-error outDir has a default: it is a string, never undefined or a number
      const n: number = o.outDir;
      // @ts-expect-error mode is production or development
      const m: 'debug' = o.mode;
      const s: 'external' | 'inline' | 'linked' | 'none' | undefined = o.sourcemap;
      return [n, m, s];
    };
    expect(typeof read).toBe('function');
  });

  it('ties a registry entry to its module: run must take the options its specs give', () => {
    type Ctx = CommandContext;
    const takesPort = async (_a: string[], o: { readonly port: number }, _c: Ctx): Promise<CommandResult> => ({ ok: o.port > 0 });
    defineCommand({ name: 'ok', summary: '', options: specs.serveOptions, load: async () => ({ run: takesPort }) });
    defineCommand({
      name: 'wrong',
      summary: '',
      options: specs.keygenOptions,
      // @ts-expect-error keygen's options have no port
      load: async () => ({ run: takesPort }),
    });
    expect(commands.length).toBeGreaterThan(0);
  });
});

describe('the command option specs', () => {
  const all = commands.map((c) => [c.name, c.options] as const);

  it('name each option as commander keys its flag (else the flag would be silently ignored)', () => {
    const wrong = all.flatMap(([command, list]) => list.filter((o) => new Option(o.flags).attributeName() !== o.name).map((o) => `${command} ${o.flags}: ${o.name}`));
    expect(wrong).toEqual([]);
  });

  it('give each name once per command, and every list in options.ts is registered', () => {
    for (const [command, list] of all) expect(new Set(list.map((o) => o.name)).size, command).toBe(list.length);
    expect(new Set(Object.values(specs))).toEqual(new Set(all.map(([, list]) => list)));
  });

  it('resolve to values of the types OptionsOf promises', () => {
    const opts = resolveOptions({ command: 'build', specs: specs.buildOptions, flags: { target: ['es2020'], sourcemap: 'inline', checkReproducible: true } });
    expectTypeOf(opts.target).toEqualTypeOf<string[]>();
    expect(opts).toMatchObject({ mode: 'production', target: ['es2020'], sourcemap: 'inline', checkReproducible: true, budget: '2MB', outDir: 'dist' });
    // Exactly the options with a default are present when nothing is given, as the required keys say.
    const defaults = resolveOptions({ command: 'run', specs: specs.runOptions });
    expect(Object.keys(defaults).sort()).toEqual(
      specs.runOptions
        .filter((o) => 'default' in o && o.default !== undefined)
        .map((o) => o.name)
        .sort(),
    );
    const env = resolveOptions({ command: 'serve', specs: specs.serveOptions, env: { MINIAPP_PORT: '0', MINIAPP_INSPECT: 'yes', MINIAPP_ALLOWED_HOSTS: 'a.local,b.local' } });
    expect([typeof env.port, typeof env.inspect, env.allowedHosts]).toEqual(['number', 'boolean', ['a.local', 'b.local']]);
  });
});
