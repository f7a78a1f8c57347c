import { useEffect, useState } from 'react';
import { callBridge, type BridgeError } from './bridge';

/** Counts visits in the host's per-app storage (permission "storage"). */
async function countVisit(): Promise<number> {
  const stored = await callBridge<{ value: string | null }>('storage.get', { key: 'visits' });
  const count = Number(stored?.value ?? 0) + 1;
  await callBridge('storage.set', { key: 'visits', value: String(count) });
  return count;
}

export function App() {
  const [visits, setVisits] = useState<string>('…');
  const [status, setStatus] = useState('');
  const [paying, setPaying] = useState(false);

  useEffect(() => {
    countVisit().then(
      (n) => setVisits(String(n)),
      (err: Error) => {
        setVisits('–');
        setStatus(err.message);
      },
    );
  }, []);

  /** Asks the host to take a payment (permission "payment"); the user confirms in the host's own sheet. */
  async function pay() {
    setPaying(true);
    setStatus('Waiting for confirmation…');
    try {
      const result = await callBridge<{ transactionId?: string }>('payment.pay', { amount: 100, currency: 'USD', description: 'Sample order' });
      setStatus(`Paid (transaction ${result?.transactionId ?? 'n/a'})`);
    } catch (err) {
      const e = err as BridgeError;
      setStatus(e.code === 'USER_CANCELLED' ? 'Payment cancelled' : `Payment failed: ${e.message}`);
    } finally {
      setPaying(false);
    }
  }

  return (
    <main>
      <h1>React Mini App</h1>
      <p>
        Visits on this device: <strong id="visits">{visits}</strong>
      </p>
      <button id="pay" type="button" disabled={paying} onClick={() => void pay()}>
        Pay 1.00 USD
      </button>
      <p id="status" role="status">
        {status}
      </p>
    </main>
  );
}
