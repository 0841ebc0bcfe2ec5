/**
 * Initialisation that needs `await` (a secret read, say) without top-level `await`: some Lambda
 * hosts load a handler with `require()` (MiniStack, serverless-offline), and Node refuses to
 * `require()` a module graph that awaits at its top level (ERR_REQUIRE_ASYNC_MODULE).
 *
 * `initAtColdStart(init)` starts `init` at once, while the module loads (Lambda's init phase, as
 * top-level `await` would), and returns a function each invocation awaits. A failed
 * initialisation fails the invocations that waited on it with an InitError naming the cause, and
 * the next invocation tries again; its rejection is always handled, never an unhandled rejection.
 */
export function initAtColdStart<T>(init: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  const attempt = (): Promise<T> => {
    // `then` turns a synchronous throw of `init` into a rejection, like an async failure.
    const started = Promise.resolve()
      .then(init)
      .catch((error: unknown) => {
        if (current === started) current = undefined;
        throw new InitError(error);
      });
    // Handled here, so a failure with no invocation waiting is not an unhandled rejection.
    started.catch(() => {});
    current = started;
    return started;
  };
  attempt();
  return () => current ?? attempt();
}

/** The error of an invocation whose execution environment could not initialise. */
export class InitError extends Error {
  override readonly name = "InitError";
  constructor(cause: unknown) {
    super(`initialisation failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A handler whose construction awaits initialisation: each invocation waits for it first. */
export function handlerAfter<Event, Context, Result>(
  ready: () => Promise<(event: Event, context: Context) => Promise<Result>>,
): (event: Event, context: Context) => Promise<Result> {
  return async (event, context) => (await ready())(event, context);
}
