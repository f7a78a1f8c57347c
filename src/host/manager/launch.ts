import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { MiniappError } from '../../core/errors/index.js';
import type { Manifest } from '../../manifest/types.js';
import { versionDir } from '../app-store.js';
import type { ManagedApp } from './types.js';
import { launchSandboxedApp, type SandboxedApp, type SandboxedAppOptions } from '../sandboxed-app.js';
import { activateStaged, rollBack } from '../updates.js';
import { answerOpenMiniProgram } from './messaging.js';
import type { SparePool } from './spares.js';
import { resumeApp, type ManagerState } from './state.js';
import { watchFirstLaunch, type UpdateChecks } from './updates.js';

/** The parts a launch uses besides the state. */
export interface LaunchParts {
  spares: SparePool;
  updates: UpdateChecks;
}

/**
 * Launches an installed app (or resumes it if it is running): its staged update activated first, a spare
 * sandbox taken unless it has limits of its own. A new version that cannot even load is rolled back and
 * the previous one launched instead; one that loads starts its probation.
 */
export async function launchManagedApp(state: ManagerState, parts: LaunchParts, id: string, extra: Partial<SandboxedAppOptions> = {}): Promise<SandboxedApp> {
  if (state.closed) throw new Error('the host manager is closed');
  const existing = state.running.get(id);
  if (existing && !existing.exit) {
    resumeApp(state, id);
    return existing.app;
  }
  const { appsDir } = state.options;
  const appState = await activateStaged(appsDir, id, state.audit);
  if (!appState?.active) throw new MiniappError('APP_NOT_INSTALLED', { id, dir: appsDir });
  const dir = versionDir(appsDir, id, appState.active);
  const manifest = JSON.parse(await fs.readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const entry: Partial<ManagedApp> = { version: appState.active, lastActive: state.now() };
  const onFirstLaunch = appState.firstLaunchPending === true;
  let app: SandboxedApp;
  try {
    app = await launchSandboxedApp(appOptions(state, parts, { id, extra, dir, manifest, entry }));
  } catch (err) {
    if (onFirstLaunch && appState.previous && (await rollBack(appsDir, id, (err as Error).message, state.audit))) return launchManagedApp(state, parts, id, extra);
    throw err;
  }
  entry.app = app;
  state.running.set(id, entry as ManagedApp);
  if (onFirstLaunch) watchFirstLaunch(state, id, entry as ManagedApp, app);
  parts.updates.onLaunch(id);
  return app;
}

interface OneLaunch {
  id: string;
  extra: Partial<SandboxedAppOptions>;
  dir: string;
  manifest: Manifest;
  /** The manager's record of the app, kept current by the app's activity and exit. */
  entry: Partial<ManagedApp>;
}

/** The sandboxed app's options: the host's defaults, the caller's extras, then what the manager itself owns. */
function appOptions(state: ManagerState, parts: LaunchParts, { id, extra, dir, manifest, entry }: OneLaunch): SandboxedAppOptions {
  const { options } = state;
  return {
    ...options.appOptions,
    ...extra,
    // A spare was started with the host's limits; an app with its own limits gets its own sandbox.
    sandbox: extra.limits ? undefined : parts.spares.take(),
    dir,
    manifest,
    hostVersion: options.hostVersion,
    hostKey: state.hostKey,
    dataDir: options.dataDir,
    limits: { ...options.limits, ...extra.limits },
    audit: state.audit,
    gate: state.gate,
    checkIntervalMs: options.checkIntervalMs,
    onActivity: () => {
      entry.lastActive = state.now();
    },
    onExit: (exit) => {
      entry.exit = exit;
    },
    configureHost: answerOpenMiniProgram(state, id, (to, more) => launchManagedApp(state, parts, to, more)),
  };
}
