import { readFileSync } from 'node:fs';

/**
 * What the host reads of a sandbox process from the operating system (Linux /proc), never from the
 * sandbox: a guest that reached `process` can forge every heartbeat and memory report it sends, but
 * not the kernel's accounting of its own process.
 */

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat; 100 on every Linux build in practice.
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) of a process in ms, or undefined when it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Nanoseconds the process's main thread has spent running or waiting for a CPU (/proc/<pid>/schedstat).
 */
export function mainThreadBusyNs(pid: number): number | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return run! + wait!;
  } catch {
    return undefined;
  }
}

/**
 * How many times the process's main thread (the event loop: /proc/<pid>/status is its leader's) has
 * gone to sleep of its own accord: an event loop waiting for I/O or a timer does, a loop that never
 * yields does not, however loaded the machine is.
 */
export function voluntarySwitches(pid: number): number | undefined {
  try {
    const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface ExternalClock {
  sample(pid: number, nowMs: number): number;
  reset(): void;
}

/**
 * Watches from outside whether a process's event loop ever sleeps. sample() returns for how long (ms)
 * the main thread has not gone to sleep once: a sandbox that forges its heartbeat answers while it
 * spins is caught by this, since it cannot forge the kernel's count of its own sleeps.
 */
export function externalClock(): ExternalClock {
  let last: number | undefined;
  let since = 0;
  let busyAtSince = 0;
  return {
    sample(pid, nowMs) {
      const count = voluntarySwitches(pid);
      const busy = mainThreadBusyNs(pid);
      if (count === undefined || busy === undefined) return 0;
      if (count !== last) {
        last = count;
        since = nowMs;
        busyAtSince = busy;
        return 0;
      }
      // A thread asleep all along has not switched either: spinning means running or waiting for a CPU
      // (which a spinning thread on a loaded machine mostly does) nearly all of the time since.
      const elapsed = nowMs - since;
      return elapsed > 0 && (busy - busyAtSince) / 1e6 >= 0.9 * elapsed ? elapsed : 0;
    },
    reset() {
      last = undefined;
    },
  };
}

/** Resident set size of a process in bytes from /proc (Linux), for host-wide memory figures. */
export function processRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

let refused = false;

/**
 * A Node process opens its inspector (a debugger that runs any code) on 127.0.0.1:9229 when it gets
 * SIGUSR1, and Node 20 has no flag to turn that off (--disable-sigusr1 is Node 22.14+). A listener
 * replaces that behaviour: a host that runs sandboxes never opens an inspector on a signal. Inside the
 * OS sandbox no guest can signal the host at all (its own PID namespace); this covers the weaker levels.
 */
export function refuseInspectorSignal(): void {
  if (refused || process.platform === 'win32') return;
  refused = true;
  process.on('SIGUSR1', () => undefined);
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
