import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import http2 from 'node:http2';
import { syncBuiltinESMExports } from 'node:module';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

/**
 * Closes the network inside a sandbox process. Node 20's permission model restricts files, child
 * processes, workers and native addons, but not sockets; the guest reaches the network only through
 * the host's allowlisted bridge, so every socket, DNS and HTTP entry point in this process is replaced
 * by one that throws, before any guest code is loaded. With code generation from strings disabled in
 * this realm, a guest that reaches a host object cannot compile code to undo it.
 */
export function closeNetwork(): void {
  const deny = (what: string) =>
    function denied(): never {
      throw Object.assign(new Error(`${what} is not available inside a mini-program sandbox; use the bridge`), { code: 'ERR_SANDBOX_NETWORK' });
    };
  const replace = (target: object, names: string[], label: string) => {
    for (const name of names) {
      Object.defineProperty(target, name, { value: deny(`${label}.${name}`), writable: false, configurable: false });
    }
  };
  replace(net, ['connect', 'createConnection', 'createServer'], 'net');
  replace(net.Socket.prototype, ['connect'], 'net.Socket');
  replace(net.Server.prototype, ['listen'], 'net.Server');
  replace(tls, ['connect', 'createServer'], 'tls');
  replace(dgram, ['createSocket'], 'dgram');
  replace(dgram.Socket.prototype, ['bind', 'send', 'connect'], 'dgram.Socket');
  replace(dns, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'reverse'], 'dns');
  replace(dns.promises, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveTxt', 'reverse'], 'dns.promises');
  replace(http, ['request', 'get', 'createServer'], 'http');
  replace(https, ['request', 'get', 'createServer'], 'https');
  replace(http2, ['connect', 'createServer', 'createSecureServer'], 'http2');
  for (const name of ['fetch', 'WebSocket', 'EventSource']) {
    if (name in globalThis) Object.defineProperty(globalThis, name, { value: deny(name), writable: false, configurable: false });
  }
  // `import { lookup } from 'node:dns'` reads the ESM named exports, which are copies: refresh them.
  syncBuiltinESMExports();
}

/**
 * Reports constructor-chain escapes. In this process's own realm `x.constructor.constructor(...)` finds
 * Function (or its async and generator kin) through Function.prototype.constructor; with code
 * generation from strings disabled the call would throw anyway, but silently, and a guest could catch
 * it. The trap throws the same EvalError and also tells the host, so every attempt is audited.
 */
export function trapConstructorChains(report: (what: string) => void): void {
  const kinds = [Function, (async () => undefined).constructor, function* () {}.constructor, async function* () {}.constructor] as Array<{ prototype: object; name: string }>;
  let reported = 0;
  for (const kind of kinds) {
    const name = kind.name;
    const trap = function Function(): never {
      if (reported++ < 100) report(`${name} constructor reached from guest code`);
      throw new EvalError('Code generation from strings disallowed for this context');
    };
    Object.defineProperty(kind.prototype, 'constructor', { value: trap, writable: false, configurable: false, enumerable: false });
  }
}
