#!/usr/bin/env node
// Only loads the CLI: everything else lives in dist/cli-bundle/cli/main.js (bundled from src/cli/main.ts by scripts/build.mjs).
import { main } from '../dist/cli-bundle/cli/main.js';

main(process.argv.slice(2));
