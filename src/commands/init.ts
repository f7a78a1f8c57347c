import { basename, join, relative, resolve } from 'node:path';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { initOptions } from './options.js';
import { MiniappError } from '../core/errors/index.js';
import { assertAppId, defaultAppId, scaffold, TEMPLATES, type ScaffoldResult, type TemplateName } from '../scaffold/index.js';

export interface InitResult extends ScaffoldResult {
  /** The commands to run next, in order. */
  next: string[];
}

/** Asks on stderr, reads stdin line by line (lines typed ahead are kept); only called when the session is interactive. */
async function prompter(ctx: CommandContext) {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  return {
    ask: async (question: string, fallback: string, check?: (v: string) => string | undefined | Promise<string | undefined>): Promise<string> => {
      for (;;) {
        process.stderr.write(`${question} ${ctx.colors.dim(`(${fallback})`)} `);
        const next = await lines.next();
        // End of input (Ctrl+D) cancels: nothing has been written yet.
        if (next.done) throw new MiniappError('INTERRUPTED', { signal: 'end of input' });
        const answer = String(next.value).trim() || fallback;
        const problem = await check?.(answer);
        if (!problem) return answer;
        process.stderr.write(`${ctx.colors.red(problem)}\n`);
      }
    },
    close: () => rl.close(),
  };
}

export async function run(args: string[], options: OptionsOf<typeof initOptions>, ctx: CommandContext): Promise<CommandResult<InitResult>> {
  const dirArg = args[0] ?? '.';
  const targetDir = resolve(ctx.cwd, dirArg);
  const dirName = basename(targetDir);
  let template: string | undefined = options.template;
  let { id, name } = options;
  if (id !== undefined) await assertAppId(id);

  // Prompt only for what is missing, only on a terminal, never with --yes or in CI.
  if (ctx.interactive && !options.yes && (template === undefined || id === undefined || name === undefined)) {
    const p = await prompter(ctx);
    try {
      template ??= await p.ask(`Template (${TEMPLATES.join(', ')})?`, 'vanilla', (v) => ((TEMPLATES as readonly string[]).includes(v) ? undefined : `choose one of ${TEMPLATES.join(', ')}`));
      id ??= await p.ask('App id?', defaultAppId(dirName), async (v) => {
        try {
          await assertAppId(v);
          return undefined;
        } catch (err) {
          return `${(err as Error).message}`;
        }
      });
      name ??= await p.ask('Display name?', dirName);
    } finally {
      p.close();
    }
  }

  const result = await scaffold({
    targetDir,
    template: (template ?? 'vanilla') as TemplateName,
    id: id ?? defaultAppId(dirName),
    name: name ?? dirName,
    templatesDir: join(ctx.toolchainRoot, 'templates'),
    toolchainSpec: options.toolchain ?? `file:${ctx.toolchainRoot}`,
    force: options.force,
  });
  const where = relative(ctx.cwd, targetDir);
  const next = [...(where ? [`cd ${/\s/.test(where) ? JSON.stringify(where) : where}`] : []), 'npm install', 'npm run build'];
  return { ok: true, result: { ...result, next } };
}

export function render(outcome: CommandResult<InitResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  const c = ctx.colors;
  const lines = [`${c.green('✓')} created ${c.bold(r.id)} (${r.template}) in ${relative(ctx.cwd, r.dir) || '.'}: ${r.files.length} files`];
  if (r.overwritten.length) lines.push(c.yellow(`  replaced (--force): ${r.overwritten.join(', ')}`));
  lines.push('', 'Next:', ...r.next.map((cmd) => `  ${c.cyan(cmd)}`));
  return lines.join('\n');
}
