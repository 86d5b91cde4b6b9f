/**
 * For the dev stand-ins: answer now, or after a configured delay (so tests can drive a client's
 * timeout), and cancel whatever is still waiting when the server closes.
 */
export function delayedReplies() {
  const timers = new Set<NodeJS.Timeout>();
  return {
    run(delayMs: number, reply: () => void): void {
      if (delayMs <= 0) return reply();
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, delayMs);
      timers.add(timer);
    },
    cancelAll(): void {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
