import * as options from '../commands/options.js';
import { defineCommand, type CommandSpec } from '../commands/types.js';

/**
 * Every command, registered in one place. Modules load only when their command runs, so
 * `miniapp --version` and `--help` load no heavy library (esbuild, happy-dom, ws...). Options live in
 * commands/options.ts; `defineCommand` checks that each module's `run` takes exactly those options.
 */
export const commands: CommandSpec[] = [
  defineCommand({
    name: 'validate',
    summary: 'check a manifest, project directory or package against the manifest contract',
    args: '<path>',
    options: options.validateOptions,
    load: () => import('../commands/validate.js'),
  }),
  defineCommand({
    name: 'init',
    summary: 'create a mini-program project from a template',
    args: '[dir]',
    options: options.initOptions,
    load: () => import('../commands/init.js'),
  }),
  defineCommand({
    name: 'build',
    summary: 'bundle a project into a deterministic, size-checked package (dist/<id>-<version>.zip)',
    args: '[dir]',
    options: options.buildOptions,
    load: () => import('../commands/build.js'),
  }),
  defineCommand({
    name: 'pack',
    summary: 'package a folder another bundler built (Vite, webpack, Next export, Angular) with the same checks as build',
    args: '<dir>',
    options: options.packOptions,
    load: () => import('../commands/pack.js'),
  }),
  defineCommand({
    name: 'keygen',
    summary: 'create an RSA signing key pair and print its key id',
    options: options.keygenOptions,
    load: () => import('../commands/keygen.js'),
  }),
  defineCommand({
    name: 'sign',
    summary: 'sign a package and write its release descriptor',
    args: '<package>',
    options: options.signOptions,
    load: () => import('../commands/sign.js'),
  }),
  defineCommand({
    name: 'verify',
    summary: "check packages' signatures, structure and manifests as a host would before installing",
    args: '<packages...>',
    options: options.verifyOptions,
    load: () => import('../commands/verify.js'),
  }),
  defineCommand({
    name: 'inspect',
    summary: 'show a package: manifest summary, permissions, domains, files, signer and signature status',
    args: '<package>',
    options: options.inspectOptions,
    load: () => import('../commands/inspect.js'),
  }),
  defineCommand({
    name: 'serve',
    summary: 'dev server: build, watch and live-reload the app, with a browser simulator and the bridge inspector',
    args: '[dir]',
    options: options.serveOptions,
    load: () => import('../commands/serve.js'),
  }),
  defineCommand({
    name: 'install',
    summary: 'install a package as a host does: fetch, verify against a partner registry, check, extract',
    args: '<package>',
    options: options.installOptions,
    load: () => import('../commands/install.js'),
  }),
  defineCommand({
    name: 'conformance',
    summary: 'install, launch and drive a package through its lifecycle as a host would; fail on policy breaches',
    args: '<package>',
    options: options.conformanceOptions,
    load: () => import('../commands/conformance.js'),
  }),
  defineCommand({
    name: 'run',
    summary: 'run a mini-program headless in the sandbox (the OS sandbox on Linux) against a mock host and report console, bridge calls and policy violations',
    args: '<path>',
    options: options.runOptions,
    load: () => import('../commands/run.js'),
  }),
  defineCommand({
    name: 'registry',
    summary: 'run the marketplace and update feed (serve), and administer partners, keys, tokens and releases',
    args: '<action> [args...]',
    options: options.registryOptions,
    load: () => import('../commands/registry.js'),
  }),
  defineCommand({
    name: 'publish',
    summary: 'upload a signed package to a registry, which decides as a host would before storing it',
    args: '<package>',
    options: options.publishOptions,
    load: () => import('../commands/publish.js'),
  }),
  defineCommand({
    name: 'review',
    summary: 'review submitted versions: list, show, approve or reject (with a reason)',
    args: '<action> [version]',
    options: options.reviewOptions,
    load: () => import('../commands/review.js'),
  }),
];

export const findCommand = (name: string) => commands.find((c) => c.name === name);
