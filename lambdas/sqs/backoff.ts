/**
 * Per-message backoff: how long a message the consumer could not record stays invisible before SQS
 * offers it again, growing with its receive count, instead of the queue's whole visibility timeout.
 */

export interface BackoffSettings {
  /** The first retry's delay, and the jitter's range. */
  baseSeconds: number;
  /** No delay is longer (at most the queue's visibility timeout, checked at synth). */
  maxSeconds: number;
}

/** `min(base x 2^(receiveCount - 1) + jitter, max)`, jitter uniform in [0, base); whole seconds. */
export function retryDelaySeconds(
  receiveCount: number,
  settings: BackoffSettings,
  random: () => number = Math.random,
): number {
  const attempt = Number.isFinite(receiveCount) ? Math.max(1, Math.floor(receiveCount)) : 1;
  // 2^(attempt - 1) grows past any visibility timeout by attempt 20: cap the exponent there.
  const exponential = settings.baseSeconds * 2 ** Math.min(attempt - 1, 20);
  const jitter = random() * settings.baseSeconds;
  return Math.min(Math.floor(exponential + jitter), settings.maxSeconds);
}
