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

export interface OptionSources {
  command: string;
  specs: readonly OptionSpec[];
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
      value = raw.split(',').map((s) => s.trim()).filter(Boolean);
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
export function resolveOptions(sources: OptionSources): Record<string, unknown> {
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
  return out;
}
