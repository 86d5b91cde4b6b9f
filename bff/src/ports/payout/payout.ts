/**
 * Port: paying a claimed reward to a resident. Two adapters: `manual` (staff export a CSV batch and
 * pay it by hand, then mark each claim paid or failed) and `wechatpay` (WeChat Pay v3 商家转账).
 */
export interface PayoutRequest {
  /** Our bill number, [0-9A-Za-z]{1,32}. The provider treats a repeat as the same transfer, so retries never pay twice. */
  outBillNo: string;
  /** The resident's openid for this mini-program; server-side only. */
  openid: string;
  amountFen: number;
  /** Shown to the resident in WeChat (转账备注), ≤ 32 characters. */
  remark: string;
}

/** The provider's view of one transfer. */
export interface PayoutState {
  /** accepted: in progress; paid: money arrived; failed: will not arrive (the claim goes back to the balance). */
  state: 'accepted' | 'paid' | 'failed';
  providerBillNo: string | null;
  failureReason: string | null;
}

/** A failure worth retrying with the same outBillNo (network, timeout, 5xx) versus a definite refusal. */
export class PayoutError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PayoutError';
  }
}

export interface PayoutNotification {
  outBillNo: string;
  state: PayoutState;
}

export interface PayoutProvider {
  readonly method: 'wechatpay';
  /** Starts (or, for a known outBillNo, re-reads) a transfer. */
  transfer(req: PayoutRequest): Promise<PayoutState>;
  /** Reads a transfer's state by our bill number: the fallback when a callback is lost. */
  query(outBillNo: string): Promise<PayoutState | null>;
  /**
   * Verifies a callback's signature and decrypts it. Returns null when the signature, timestamp or
   * ciphertext is not genuine: a forged callback changes nothing.
   */
  parseCallback(headers: Record<string, string | undefined>, rawBody: Buffer): PayoutNotification | null;
}
