/** Thrown by `WorkQueue.run` when every slot is busy and the waiting line is full. */
export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('work queue full');
    this.name = 'QueueFullError';
  }
}

export interface WorkQueueStats {
  running: number;
  waiting: number;
  concurrency: number;
  maxWaiting: number;
}

/**
 * Runs at most `concurrency` jobs at once with a bounded line of waiting ones; a job arriving when
 * the line is full is refused at once (QueueFullError) instead of piling up memory. The refusal
 * carries a Retry-After estimate from the recent job durations.
 */
export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private averageMs: number;

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
    initialEstimateMs = 1000,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('concurrency must be a positive integer');
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new Error('maxWaiting must be a whole number');
    this.averageMs = initialEstimateMs;
  }

  stats(): WorkQueueStats {
    return { running: this.running, waiting: this.waiting.length, concurrency: this.concurrency, maxWaiting: this.maxWaiting };
  }

  /** Seconds until a slot is likely free for a newcomer: the line ahead of it, then one job. */
  retryAfterSeconds(): number {
    const estimate = (this.averageMs * (this.waiting.length / this.concurrency + 1)) / 1000;
    return Math.min(60, Math.max(1, Math.ceil(estimate)));
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running += 1;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw new QueueFullError(this.retryAfterSeconds());
      // The finishing job hands its slot over, so `running` stays as it is.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const started = performance.now();
    try {
      return await job();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - started);
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
