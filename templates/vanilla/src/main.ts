import { callBridge, type BridgeError } from './bridge';

const visits = document.querySelector<HTMLElement>('#visits')!;
const status = document.querySelector<HTMLElement>('#status')!;
const pay = document.querySelector<HTMLButtonElement>('#pay')!;

/** Counts visits in the host's per-app storage (permission "storage"). */
async function countVisit(): Promise<void> {
  const stored = await callBridge('storage.get', { key: 'visits' });
  const count = Number(stored?.value ?? 0) + 1;
  await callBridge('storage.set', { key: 'visits', value: String(count) });
  visits.textContent = String(count);
}

/** Asks the host to take a payment (permission "payment"); the user confirms in the host's own sheet. */
async function payOne(): Promise<void> {
  pay.disabled = true;
  status.textContent = 'Waiting for confirmation…';
  try {
    const result = await callBridge('payment.pay', { amount: 1, currency: 'USD', orderId: `order-${Date.now()}`, description: 'Sample order' });
    status.textContent = `Paid (transaction ${result.transactionId})`;
  } catch (err) {
    const e = err as BridgeError<'payment.pay'>;
    status.textContent = e.code === 'PAYMENT_CANCELLED' ? 'Payment cancelled' : `Payment failed: ${e.message}`;
  } finally {
    pay.disabled = false;
  }
}

pay.addEventListener('click', () => void payOne());
countVisit().catch((err: Error) => {
  visits.textContent = '–';
  status.textContent = err.message;
});
