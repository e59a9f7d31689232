import { isServerError, isThrottlingError, isTransientError } from "@smithy/service-error-classification";

/**
 * Retries for AWS calls. The SDK clients are built with `maxAttempts: 1` and this loop
 * owns retrying, for three reasons: every retry is counted and reported (users must be
 * told what was retried); the SDK's standard mode stops retrying once its shared retry
 * quota (500 tokens) is spent, which a burst of throttling on a 1,000-backup sweep does;
 * and the clock (`sleep`) and randomness are injected, so tests need no real waiting.
 * Which errors are retryable is decided by the SDK's own classification (smithy):
 * throttling, transient network errors and 5xx. Other 4xx are never retried.
 */
export interface RetryOptions {
  /** Attempts in all, first try included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 10,
  baseDelayMs: 100,
  maxDelayMs: 20_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export type RetryReason = "throttled" | "server error" | "transient";

export interface RetryStats {
  attempts: number;
  retries: Partial<Record<RetryReason, number>>;
}

export function retryReason(err: unknown): RetryReason | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(e)) return "throttled";
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (isServerError(e) || (status >= 500 && status <= 599)) return "server error";
  if (isTransientError(e)) return "transient";
  return undefined;
}

export type RetryResult<T> =
  | { ok: true; value: T; stats: RetryStats }
  | { ok: false; error: unknown; stats: RetryStats; /** true when the error was retryable but attempts ran out */ exhausted: boolean };

/**
 * Calls `fn` until it succeeds, fails with a non-retryable error, or runs out of
 * attempts; never throws, so every caller records an outcome. Backoff is exponential
 * with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter").
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<RetryResult<T>> {
  const stats: RetryStats = { attempts: 0, retries: {} };
  for (;;) {
    stats.attempts++;
    try {
      return { ok: true, value: await fn(), stats };
    } catch (error) {
      const reason = retryReason(error);
      if (reason === undefined) return { ok: false, error, stats, exhausted: false };
      if (stats.attempts >= options.maxAttempts) return { ok: false, error, stats, exhausted: true };
      stats.retries[reason] = (stats.retries[reason] ?? 0) + 1;
      const capMs = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (stats.attempts - 1));
      await options.sleep(Math.floor(options.random() * capMs));
    }
  }
}
