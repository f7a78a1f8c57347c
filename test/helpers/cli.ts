import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/miniapp.js', import.meta.url));

export interface CliResult {
  code: number | null;
  /** Output with colour codes removed, for matching text. */
  stdout: string;
  stderr: string;
  /** Output exactly as the process wrote it, for checking colour. */
  raw: { stdout: string; stderr: string };
}

const ANSI = /\u001b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, '');

/** Runs the built binary as a user would, with no TTY and no colour unless asked. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(process.execPath, [binPath, ...args], { cwd: options.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`miniapp ${args.join(' ')} did not finish in ${options.timeoutMs ?? 20000} ms`));
    }, options.timeoutMs ?? 20000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr), raw: { stdout, stderr } });
    });
    child.stdin.end(options.input ?? '');
  });
}

export function parseJsonOutput(stdout: string): { ok: boolean; command: string; result?: any; errors: any[]; warnings: any[] } {
  return JSON.parse(stdout);
}
