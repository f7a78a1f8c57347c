import type { GuestMessage } from '../channel.js';
import type { HostRequests } from './requests.js';

/** Everything the guest needs to start, as plain data (so it can be posted to a worker unchanged). */
export interface GuestInit {
  /** The page origin, e.g. "https://com.partner.loans.miniapp.localhost". */
  origin: string;
  /** Entry HTML path inside the package. */
  entryPoint: string;
  /** The package's files (path → bytes): the guest serves its own files, read-only. */
  files: Record<string, Uint8Array>;
  hostVersion: string;
  /** Methods this host version has: canIUse answers from this list, synchronously. */
  methods: string[];
}

/** The page's half of MiniAppBridge (bootstrap.ts), made in the page's realm. */
export interface Bootstrap {
  deliver(json: string): void;
  pendingCalls(): number;
}

/** What the parts of one running guest share: its app, its way to the host, and what the page set up. */
export interface GuestState {
  readonly init: GuestInit;
  /** Sends to the host (nothing once the channel is closed). */
  send(m: GuestMessage): void;
  readonly requests: HostRequests;
  /** The page's bootstrap, once its realm exists. */
  bootstrap?: Bootstrap;
  /** Stops reporting the page's unhandled rejections. */
  stopRejections?: () => void;
  /** Set while the page's synchronous XMLHttpRequest.send runs (see wrapFetch): a synchronous load is otherwise taken for a classic script. */
  inSyncXhr: boolean;
}
