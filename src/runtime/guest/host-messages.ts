import type { BrowserPage } from 'happy-dom';
import type { GuestMessage, HostMessage, MessageOf } from '../channel.js';
import type { GuestState } from './state.js';

/** One message from the host: answers go to the page's bootstrap or its waiting requests, the rest drive the page. */
export function onHostMessage(s: GuestState, page: BrowserPage, m: HostMessage, close: () => void): void {
  switch (m.type) {
    case 'result':
      s.bootstrap?.deliver(JSON.stringify(m));
      break;
    case 'network-result':
      s.requests.settle(m);
      break;
    case 'lifecycle':
      s.bootstrap?.deliver(JSON.stringify(m));
      break;
    case 'wait-idle':
      page.waitUntilComplete().then(
        () => s.send({ type: 'idle', id: m.id, idle: (s.bootstrap?.pendingCalls() ?? 0) === 0 }),
        (err: Error) => {
          if (process.env.MINIAPP_TRACE_IDLE) s.send({ type: 'console', level: 'debug', text: err.message });
          s.send({ type: 'idle', id: m.id, idle: false });
        },
      );
      break;
    case 'dom':
      s.send(domOperation(page.mainFrame.document as unknown as Document, m));
      break;
    case 'close':
      close();
      break;
  }
}

/** A test's query or action on the page's DOM (query, click, input), answered as plain data. */
function domOperation(document: Document, m: MessageOf<HostMessage, 'dom'>): GuestMessage {
  try {
    const el = document.querySelector(m.selector) as HTMLElement | null;
    if (m.op === 'query') return { type: 'dom-result', id: m.id, ok: true, value: el ? { exists: true, text: el.textContent ?? '', html: el.outerHTML.slice(0, 10_000) } : { exists: false } };
    if (!el) return { type: 'dom-result', id: m.id, ok: false, error: { code: 'ELEMENT_NOT_FOUND', message: `no element matches ${JSON.stringify(m.selector)}` } };
    if (m.op === 'click') el.click();
    if (m.op === 'input') {
      (el as HTMLInputElement).value = m.value ?? '';
      el.dispatchEvent(new (document.defaultView as unknown as typeof globalThis).Event('input', { bubbles: true }));
      el.dispatchEvent(new (document.defaultView as unknown as typeof globalThis).Event('change', { bubbles: true }));
    }
    return { type: 'dom-result', id: m.id, ok: true, value: el.textContent ?? '' };
  } catch (err) {
    return { type: 'dom-result', id: m.id, ok: false, error: { code: 'INVALID_SELECTOR', message: (err as Error).message } };
  }
}
