import { callBridge, type BridgeError } from './bridge';

const visits = document.querySelector<HTMLElement>('#visits')!;
const status = document.querySelector<HTMLElement>('#status')!;
const pay = document.querySelector<HTMLButtonElement>('#pay')!;

/** Counts visits in the host's per-app storage (permission "storage"). */
async function countVisit(): Promise<void> {
  const stored = await callBridge<{ value: string | null }>('storage.get', { key: 'visits' });
  const count = Number(stored?.value ?? 0) + 1;
  await callBridge('storage.set', { key: 'visits', value: String(count) });
  visits.textContent = String(count);
}

/** Asks the host to take a payment (permission "payment"); the user confirms in the host's own sheet. */
async function payOne(): Promise<void> {
  pay.disabled = true;
  status.textContent = 'Waiting for confirmation…';
  try {
    const result = await callBridge<{ transactionId?: string }>('payment.pay', { amount: 100, currency: 'USD', description: 'Sample order' });
    status.textContent = `Paid (transaction ${result?.transactionId ?? 'n/a'})`;
  } catch (err) {
    const e = err as BridgeError;
    status.textContent = e.code === 'USER_CANCELLED' ? 'Payment cancelled' : `Payment failed: ${e.message}`;
  } finally {
    pay.disabled = false;
  }
}

pay.addEventListener('click', () => void payOne());
countVisit().catch((err: Error) => {
  visits.textContent = '–';
  status.textContent = err.message;
});
