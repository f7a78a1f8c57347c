/** Thrown by a handler (or a scripted response) to fail a bridge call with a catalogue code. */
export class BridgeFailure extends Error {
  readonly code: string;
  readonly path?: string;
  constructor(code: string, message: string, path?: string) {
    super(message);
    this.name = 'BridgeFailure';
    this.code = code;
    if (path !== undefined) this.path = path;
  }
}
