import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../../ports/case-system/webhook-signature';
import type { Timers } from './http-util';
import type { MutableCase, MutableUpdate } from './case-book';

/** The JSON pushed to the webhook for each update. */
export interface CaseWebhookPayload extends MutableUpdate {
  service_request_id: string;
  client_request_id: string | null;
}

export interface WebhookTarget {
  url: string;
  secret: string;
  retryDelaysMs?: number[];
  timeoutMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [200, 1000, 5000];

/**
 * Pushes every update, signed: one ordered queue per case, each delivery retried with backoff and then
 * dropped (the BFF polls as a fallback), so a slow case never holds up another.
 */
export class WebhookDelivery {
  private readonly queues = new Map<string, { items: CaseWebhookPayload[]; running: boolean }>();
  private readonly stop = new AbortController();
  private readonly retryDelays: number[];
  private closed = false;
  pending = 0;

  constructor(
    private readonly hook: WebhookTarget,
    private readonly timers: Timers,
  ) {
    this.retryDelays = hook.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  enqueue(c: MutableCase, u: MutableUpdate) {
    if (this.closed) return;
    const payload: CaseWebhookPayload = {
      update_id: u.update_id,
      service_request_id: c.serviceRequestId,
      client_request_id: c.clientRequestId,
      status: u.status,
      description: u.description,
      agency_responsible: u.agency_responsible,
      expected_datetime: u.expected_datetime,
      media_urls: [...u.media_urls],
      updated_datetime: u.updated_datetime,
      merged_into: u.merged_into,
    };
    let queue = this.queues.get(c.serviceRequestId);
    if (!queue) {
      queue = { items: [], running: false };
      this.queues.set(c.serviceRequestId, queue);
    }
    queue.items.push(payload);
    this.pending += 1;
    if (!queue.running) void this.drain(c.serviceRequestId, queue);
  }

  close() {
    this.closed = true;
    this.stop.abort();
  }

  private async drain(caseId: string, queue: { items: CaseWebhookPayload[]; running: boolean }) {
    queue.running = true;
    while (queue.items.length > 0 && !this.closed) {
      const payload = queue.items[0];
      for (let attempt = 0; !this.closed; attempt += 1) {
        if (await this.deliver(payload)) break;
        if (attempt >= this.retryDelays.length) break; // give up on this one; the BFF's poll catches up
        await new Promise<void>((resolve) => this.timers.later(this.retryDelays[attempt], resolve));
      }
      queue.items.shift();
      this.pending -= 1;
    }
    queue.running = false;
    if (queue.items.length === 0) this.queues.delete(caseId);
  }

  private async deliver(payload: CaseWebhookPayload): Promise<boolean> {
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(this.hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(this.hook.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.hook.timeoutMs ?? 5000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  }
}
