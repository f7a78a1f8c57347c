#!/usr/bin/env node
// Only loads the CLI: everything else lives in dist/cli/main.js (built from src/cli/main.ts).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2));
