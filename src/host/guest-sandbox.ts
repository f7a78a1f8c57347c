// The sandbox a host starts ahead of need: it lives with the sandbox itself, light to import.
export { sandboxGuestEntry, startGuestSandbox } from '../sandbox/index.js';
