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
 * Nanoseconds the process's main thread (the event loop: /proc/<pid>/schedstat is its leader's) has
 * spent running or waiting for a CPU. A thread that never sleeps accumulates wall time here even on a
 * machine so loaded that it gets a fraction of a CPU, which CPU time alone would not show.
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
 * Watches whether a process's event loop ever sleeps, from outside. Each sample() records the main
 * thread's busy time; the process counts as spinning since the earliest recent sample from which it
 * was busy (running or runnable) for at least 95% of the time, and sample() returns for how long (ms).
 * Averaging from each earlier sample smooths the kernel's accounting, which a spinning task on a loaded
 * machine receives in bursts; an honest event loop sleeps between turns, well over 5% of the time.
 */
export function externalClock(): { sample(pid: number, nowMs: number): number; reset(): void } {
  let history: Array<{ at: number; ns: number }> = [];
  return {
    sample(pid, nowMs) {
      const ns = mainThreadBusyNs(pid);
      if (ns === undefined) return 0;
      history.push({ at: nowMs, ns });
      while (history.length > 2 && nowMs - history[0]!.at > 30_000) history.shift();
      for (const h of history) {
        if (nowMs - h.at < 1) break;
        if ((ns - h.ns) / 1e6 / (nowMs - h.at) >= 0.95) return nowMs - h.at;
      }
      return 0;
    },
    reset() {
      history = [];
    },
  };
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
