// Runs before every test file (vitest.config.ts setupFiles): what a test file creates, it removes.
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/temp.js';

afterAll(removeTempDirs);
