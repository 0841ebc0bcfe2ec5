import { describe, expect, it, vi } from "vitest";
import { refreshingSecret } from "../../lambdas/shared/secrets";

/** A secret an environment keeps, read again once it is old: how a rotation takes effect. */

describe("refreshingSecret", () => {
  it("reads once, then again only when the value is maxAgeMs old", async () => {
    let clock = 0;
    const read = vi
      .fn<() => Promise<string>>()
      .mockResolvedValueOnce("first")
      .mockResolvedValueOnce("rotated");
    const secret = refreshingSecret(read, 1_000, () => clock);

    expect(await secret()).toBe("first");
    clock = 999;
    expect(await secret()).toBe("first");
    expect(read).toHaveBeenCalledTimes(1);
    clock = 1_000;
    expect(await secret()).toBe("rotated");
    expect(read).toHaveBeenCalledTimes(2);
  });

  it("shares one read between callers at the same moment", async () => {
    const read = vi.fn(async () => "value");
    const secret = refreshingSecret(read, 1_000, () => 0);
    expect(await Promise.all([secret(), secret(), secret()])).toEqual(["value", "value", "value"]);
    expect(read).toHaveBeenCalledTimes(1);
  });

  it("fails the first read for the caller, but keeps the last value when a later read fails", async () => {
    let clock = 0;
    const read = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new Error("unreachable"))
      .mockResolvedValueOnce("value")
      .mockRejectedValueOnce(new Error("unreachable again"))
      .mockResolvedValueOnce("rotated");
    const secret = refreshingSecret(read, 1_000, () => clock);

    await expect(secret()).rejects.toThrow("unreachable");
    expect(await secret()).toBe("value");
    clock = 2_000;
    expect(await secret()).toBe("value"); // the re-read failed: the last value stands
    expect(await secret()).toBe("rotated"); // and the next call tries again
  });
});
