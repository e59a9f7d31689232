// Waits pass faster inside the simulation. The emulated clock stands still while an
// invocation runs (it moves only between ticks), so a retry back-off inside a run only
// orders the calls, and its real length is wasted time: a CloudHSM outage costs a reminder
// run ten attempts with back-offs up to 20 s. Timers of up to a minute (the SDKs' and
// src/aws/retry.ts's back-offs) fire 100 times sooner; longer ones (middy's timeout guard,
// set from the context's remaining time) are left alone. Undone by the returned function.
const WARPED_UP_TO_MS = 60_000;
const FACTOR = 100;

export function warpShortTimers(): () => void {
  const original = globalThis.setTimeout;
  const warped = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const delay = typeof ms === "number" && ms > 0 && ms <= WARPED_UP_TO_MS ? ms / FACTOR : ms;
    return original(handler, delay, ...args);
  }) as unknown as typeof setTimeout;
  Object.assign(warped, original);
  globalThis.setTimeout = warped;
  return () => {
    globalThis.setTimeout = original;
  };
}
