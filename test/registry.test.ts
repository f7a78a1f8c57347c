import { describe } from 'vitest';
import { registrySuite } from './registry-suite.js';

describe('registry (embedded store)', () => {
  registrySuite('embedded', () => undefined);
});
