import { getMethod, methodNames } from '../bridge/catalog.js';
import { checkParams } from '../runtime/host/params.js';

let warmed = false;

/**
 * Loads the params validator and compiles every bridge method's schema once per host process
 * (~150 ms the first time, measured). Called while a launch waits for its sandbox, so an app's first
 * bridge call does not pay for it.
 */
export function warmBridgeValidators(): void {
  if (warmed) return;
  warmed = true;
  for (const method of methodNames()) checkParams(method, getMethod(method)!.params, {});
}
