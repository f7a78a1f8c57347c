import { diagnostic, MiniappError, type Diagnostic } from './errors/index.js';
import { suggest } from './suggest.js';

export type OptionType = 'boolean' | 'string' | 'number' | 'list';

/** One option of a command: its flag, its type, its default and where else it may come from. */
export interface OptionSpec {
  /** camelCase key in the resolved options, and in miniapp.config.json. */
  name: string;
  /** Commander flag syntax, e.g. "--profile <name>". */
  flags: string;
  description: string;
  type: OptionType;
  choices?: readonly string[];
  default?: unknown;
  /** false: flag only (no MINIAPP_* variable, not in the config file), for secrets and one-off switches. */
  configurable?: boolean;
}

/**
 * The options object a command receives, derived from its specs (`as const`): one key per spec, typed by
 * `type` and narrowed to `choices`; required when the spec has a default (resolveOptions always sets it),
 * optional otherwise. A negatable boolean (`--no-x`) without a default is `undefined` unless the flag,
 * the config file or the environment sets it: read it as `options.x !== false`.
 */
export type OptionsOf<Specs extends readonly OptionSpec[]> = Flatten<
  { readonly [S in Specs[number] as HasDefault<S> extends true ? S['name'] : never]: OptionValue<S> } & {
    readonly [S in Specs[number] as HasDefault<S> extends true ? never : S['name']]?: OptionValue<S>;
  }
>;

/** What one option resolves to: `type` as a TypeScript type, narrowed to `choices` (per item for a list). */
export type OptionValue<S extends OptionSpec> = ValueOfType<S['type'], S extends { readonly choices: readonly (infer C extends string)[] } ? C : string>;
type ValueOfType<T extends OptionType, Text extends string> = T extends 'boolean' ? boolean : T extends 'number' ? number : T extends 'list' ? Text[] : Text;
type HasDefault<S> = S extends { readonly default: infer D } ? ([D] extends [undefined] ? false : true) : false;
type Flatten<T> = { [K in keyof T]: T[K] } & {};

export interface OptionSources<Specs extends readonly OptionSpec[] = readonly OptionSpec[]> {
  command: string;
  specs: Specs;
  /** Every command's specs, so a flat config key used by another command is not "unknown". */
  allSpecs?: Readonly<Record<string, readonly OptionSpec[]>>;
  /** Parsed miniapp.config.json, if any. */
  config?: unknown;
  configFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Values given on the command line (only those actually given). */
  flags?: Readonly<Record<string, unknown>>;
}

export const envName = (name: string) => `MINIAPP_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

function coerce(spec: OptionSpec, raw: unknown, source: string, fromText: boolean): { value?: unknown; error?: string } {
  let value = raw;
  if (fromText && typeof raw === 'string') {
    if (spec.type === 'boolean') {
      const t = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(t)) value = true;
      else if (['0', 'false', 'no', 'off', ''].includes(t)) value = false;
      else return { error: `${source} must be true or false, found ${JSON.stringify(raw)}` };
    } else if (spec.type === 'number') {
      value = Number(raw);
    } else if (spec.type === 'list') {
      value = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    }
  }
  switch (spec.type) {
    case 'boolean':
      if (typeof value !== 'boolean') return { error: `${source} must be true or false` };
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { error: `${source} must be a number, found ${JSON.stringify(raw)}` };
      break;
    case 'string':
      if (typeof value !== 'string') return { error: `${source} must be a string` };
      break;
    case 'list':
      if (typeof value === 'string') value = [value];
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return { error: `${source} must be a list of strings` };
      break;
  }
  if (spec.choices) {
    const values = Array.isArray(value) ? value : [value];
    const bad = values.find((v) => !spec.choices!.includes(v as string));
    if (bad !== undefined) return { error: `${source} must be one of ${spec.choices.join(', ')}, found ${JSON.stringify(bad)}` };
  }
  return { value };
}

/**
 * Resolves a command's options in one place, with one precedence:
 * defaults < miniapp.config.json < MINIAPP_* environment variables < flags.
 * Pure: callers read the config file and environment; problems come back as CONFIG_INVALID.
 */
export function resolveOptions<const Specs extends readonly OptionSpec[]>(sources: OptionSources<Specs>): OptionsOf<Specs> {
  const { command, specs } = sources;
  const errors: Diagnostic[] = [];
  const out: Record<string, unknown> = {};
  const configSource = sources.configFile ?? 'miniapp.config.json';
  const fail = (source: string, reason: string, suggestion?: string) =>
    errors.push(diagnostic('CONFIG_INVALID', { source, reason, suggestion }, { file: source.startsWith('MINIAPP_') || source.startsWith('--') ? undefined : configSource }));

  for (const spec of specs) if (spec.default !== undefined) out[spec.name] = spec.default;

  // The config file: flat keys apply to every command that has the option; a key named after a
  // command holds options for that command only.
  const config = sources.config;
  if (config !== undefined) {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      fail(configSource, 'must be a JSON object');
    } else {
      const all = sources.allSpecs ?? { [command]: specs };
      const configurable = (list: readonly OptionSpec[]) => list.filter((s) => s.configurable !== false);
      const flatNames = new Set(Object.values(all).flatMap((l) => configurable(l).map((s) => s.name)));
      const apply = (key: string, raw: unknown, where: string) => {
        const spec = configurable(specs).find((s) => s.name === key);
        if (!spec) return;
        const r = coerce(spec, raw, where, false);
        if (r.error) fail(configSource, r.error);
        else out[key] = r.value;
      };
      for (const [key, raw] of Object.entries(config)) {
        if (key === '$schema') continue;
        if (Object.prototype.hasOwnProperty.call(all, key)) {
          if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
            fail(configSource, `"${key}" must be an object of ${key} options`);
            continue;
          }
          const names = configurable(all[key]!).map((s) => s.name);
          for (const [sub, subRaw] of Object.entries(raw)) {
            if (!names.includes(sub)) fail(configSource, `unknown option "${key}.${sub}"`, suggest(sub, names));
            else if (key === command) apply(sub, subRaw, `"${key}.${sub}"`);
          }
        } else if (flatNames.has(key)) {
          apply(key, raw, `"${key}"`);
        } else {
          fail(configSource, `unknown option "${key}"`, suggest(key, [...flatNames, ...Object.keys(all)]));
        }
      }
    }
  }

  for (const spec of specs) {
    if (spec.configurable === false) continue;
    const name = envName(spec.name);
    const raw = sources.env?.[name];
    if (raw === undefined) continue;
    const r = coerce(spec, raw, name, true);
    if (r.error) fail(name, r.error);
    else out[spec.name] = r.value;
  }

  for (const spec of specs) {
    if (!sources.flags || !Object.prototype.hasOwnProperty.call(sources.flags, spec.name)) continue;
    const r = coerce(spec, sources.flags[spec.name], spec.flags.split(/[ ,]/)[0]!.replace(/^-+no-/, '--'), true);
    if (r.error) fail(`--${spec.name}`, r.error);
    else out[spec.name] = r.value;
  }

  if (errors.length > 0) throw new MiniappError('CONFIG_INVALID', { source: errors[0]!.file ?? 'options', reason: errors[0]!.message }, { diagnostics: errors });
  // Every default set, every value coerced and checked against its spec above: the record is OptionsOf<Specs>.
  return out as OptionsOf<Specs>;
}
