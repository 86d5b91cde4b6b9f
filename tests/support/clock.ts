/**
 * A clock tests move by hand: it reads the real time plus an offset, so timers, tokens and the
 * database's own defaults stay near it, while a test can jump days ahead to make something due.
 */
export class TestClock {
  private offsetMs = 0;

  now = (): Date => new Date(Date.now() + this.offsetMs);

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/** Shanghai wall-clock time ('2026-11-23 19:00') → the instant. */
export const shanghaiTime = (local: string) => new Date(`${local}:00+08:00`);
