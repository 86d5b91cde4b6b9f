import type { Logger } from '../logger';

/**
 * A background job that never overlaps itself: concurrent `run()` calls share the run in flight, and
 * `start()` repeats it on a timer that does not keep the process alive. The dispatchers (outboxes for
 * the case system and for WeChat notices) are built on it.
 */
export class SerialJob<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<T> | null = null;

  constructor(
    private readonly name: string,
    private readonly work: () => Promise<T>,
    private readonly logger: Logger,
  ) {}

  run(): Promise<T> {
    this.running ??= this.work().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  start(intervalMs: number, tick: () => Promise<unknown> = () => this.run()) {
    this.timer = setInterval(() => {
      tick().catch((err) => this.logger.error({ err }, `${this.name} failed`));
    }, intervalMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
