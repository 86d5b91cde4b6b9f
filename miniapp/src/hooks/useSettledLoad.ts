import { useEffect, useRef } from 'react';

export interface SettledLoadHandlers<T> {
  /** Nothing to ask for this key (`load` was null). */
  idle?: () => void;
  /** A load is scheduled. */
  start?: () => void;
  done: (value: T) => void;
  failed?: () => void;
}

/**
 * Calls `load` once `key` has stayed the same for `delayMs` (a GPS fix followed by a map pick asks
 * once), and hands over its answer only if no newer key came meanwhile (a late answer for an old
 * point never overwrites the new one). A null `load` means there is nothing to ask.
 */
export function useSettledLoad<T>(key: string, load: (() => Promise<T>) | null, handlers: SettledLoadHandlers<T>, delayMs: number): void {
  const latest = useRef({ load, handlers });
  latest.current = { load, handlers };
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const { load: run, handlers: on } = latest.current;
    if (!run) {
      on.idle?.();
      return undefined;
    }
    on.start?.();
    const timer = setTimeout(() => {
      run().then(
        (value) => {
          if (mine === seq.current) latest.current.handlers.done(value);
        },
        () => {
          if (mine === seq.current) latest.current.handlers.failed?.();
        },
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
}
