// The sandbox a host starts ahead of need (kept light: see src/runtime/sandbox-start.ts).
export { sandboxGuestEntry, startGuestSandbox } from '../runtime/sandbox-start.js';
