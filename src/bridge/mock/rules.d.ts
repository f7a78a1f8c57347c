// Types for rules.js (plain JavaScript so browsers load it as it is).
/** Params larger than this (as JSON) are refused before validation. */
export declare const MAX_PARAMS_BYTES: number;
/** Compares two MAJOR.MINOR.PATCH host versions; -1, 0 or 1. */
export declare function compareHostVersions(a: string, b: string): number;
