/** Resolves on the first SIGINT or SIGTERM, and stops listening for both. */
export function signalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Exit code after a signal, as shells report it: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES: Record<"SIGINT" | "SIGTERM" | "SIGHUP", number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export interface Interruption {
  /** Aborted on the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The first signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Stops listening (call when the guarded work is over). */
  dispose(): void;
}

/**
 * Ctrl-C for work that must not be cut off mid-call: the first SIGINT, SIGTERM or SIGHUP aborts
 * `signal` and calls `onFirst` (to say what it is waiting for); a second one exits at once
 * with 128 + the signal's number, for the user who would rather not wait.
 */
export function interruptible(onFirst: (signal: NodeJS.Signals) => void, exit: (code: number) => never = process.exit): Interruption {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  // SIGHUP too: a closed terminal or a dropped SSH session must not cut a run short mid-call.
  const handle = (signal: "SIGINT" | "SIGTERM" | "SIGHUP") => {
    if (first !== undefined) exit(SIGNAL_EXIT_CODES[signal]);
    first = signal;
    controller.abort();
    onFirst(signal);
  };
  process.on("SIGINT", handle);
  process.on("SIGTERM", handle);
  process.on("SIGHUP", handle);
  return {
    signal: controller.signal,
    received: () => first,
    dispose() {
      process.off("SIGINT", handle);
      process.off("SIGTERM", handle);
      process.off("SIGHUP", handle);
    },
  };
}
