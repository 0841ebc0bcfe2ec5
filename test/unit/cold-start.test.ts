import { afterEach, describe, expect, it, vi } from "vitest";
import { handlerAfter, InitError, initAtColdStart } from "../../lambdas/shared/cold-start";

/** Initialisation without top-level await: started at load, awaited per invocation, retried on failure. */

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on("unhandledRejection", onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("initAtColdStart", () => {
  it("starts initialising at once, before any invocation, and only once", async () => {
    const init = vi.fn(async () => "client");
    const ready = initAtColdStart(init);
    await settle();
    expect(init).toHaveBeenCalledTimes(1);

    expect(await Promise.all([ready(), ready(), ready()])).toEqual(["client", "client", "client"]);
    expect(init).toHaveBeenCalledTimes(1);
  });

  it("fails the waiting invocations with an InitError naming the cause, then tries again", async () => {
    const init = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error("secret unreadable"))
      .mockResolvedValueOnce("client");
    const ready = initAtColdStart(init);

    const failure = await ready().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InitError);
    expect((failure as Error).message).toBe("initialisation failed: secret unreadable");
    expect(await ready()).toBe("client");
    expect(init).toHaveBeenCalledTimes(2);
  });

  it("treats a synchronous throw like a rejection", async () => {
    const ready = initAtColdStart(() => {
      throw new Error("bad configuration");
    });
    await expect(ready()).rejects.toThrow("initialisation failed: bad configuration");
  });

  it("leaves no unhandled rejection when an initialisation fails with no invocation waiting", async () => {
    initAtColdStart(async () => {
      throw new Error("nobody is waiting");
    });
    await settle();
    await settle();
    expect(unhandled).toEqual([]);
  });
});

describe("handlerAfter", () => {
  it("builds the handler once and passes each invocation's event and context to it", async () => {
    const build = vi.fn(async () => async (event: number, context: string) => `${context}:${event * 2}`);
    const handler = handlerAfter(initAtColdStart(build));
    expect(await handler(2, "a")).toBe("a:4");
    expect(await handler(5, "b")).toBe("b:10");
    expect(build).toHaveBeenCalledTimes(1);
  });
});
