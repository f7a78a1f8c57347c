import { randomBytes } from 'node:crypto';
import { BridgeFailure } from '../failure.js';

export type PaymentOutcome = 'success' | 'cancel' | 'fail';

interface Payment {
  amount: number;
  currency: string;
  refunded: number;
}

/**
 * The host wallet, scripted: every payment ends with the configured outcome (success by default).
 * Amount and currency are checked by the params schema before this runs.
 */
export class PaymentService {
  outcome: PaymentOutcome;
  private readonly payments = new Map<string, Payment>();

  constructor(outcome: PaymentOutcome = 'success') {
    this.outcome = outcome;
  }

  pay(params: { amount: number; currency: string; orderId: string }): { transactionId: string; status: 'success' } {
    if (this.outcome === 'cancel') throw new BridgeFailure('PAYMENT_CANCELLED', 'the user cancelled the payment');
    if (this.outcome === 'fail') throw new BridgeFailure('PAYMENT_FAILED', 'the payment was declined');
    const transactionId = `txn_${randomBytes(8).toString('hex')}`;
    this.payments.set(transactionId, { amount: params.amount, currency: params.currency, refunded: 0 });
    return { transactionId, status: 'success' };
  }

  refund(params: { transactionId: string; amount?: number }): { refundId: string; amount: number } {
    const payment = this.payments.get(params.transactionId);
    if (!payment) throw new BridgeFailure('TRANSACTION_NOT_FOUND', `no payment ${JSON.stringify(params.transactionId)} was made by this app`);
    const left = Math.round((payment.amount - payment.refunded) * 100) / 100;
    const amount = params.amount ?? left;
    if (amount > left + 1e-9) throw new BridgeFailure('REFUND_EXCEEDS_PAYMENT', `refund of ${amount} is more than the ${left} ${payment.currency} left of the payment`);
    if (this.outcome === 'fail') throw new BridgeFailure('PAYMENT_FAILED', 'the refund was declined');
    payment.refunded = Math.round((payment.refunded + amount) * 100) / 100;
    return { refundId: `rfd_${randomBytes(8).toString('hex')}`, amount };
  }
}
