/** The host-version rule, stated once in plain JavaScript so the browser mock uses the very same function. */
export { compareHostVersions } from './mock/rules.js';
