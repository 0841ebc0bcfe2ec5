import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../support/test-api";

/** Two deployments on one Redis, with different key prefixes, never see or clear each other's data. */

let blue: TestApi;
let green: TestApi;
beforeAll(async () => {
  [blue, green] = await Promise.all([
    startTestApi({ name: "blue", adminToken: "blue-token-0123456789" }),
    startTestApi({ name: "green", adminToken: "green-token-0123456789" }),
  ]);
});
afterAll(() => Promise.all([blue.close(), green.close()]));

describe("key prefixes", () => {
  it("keep two deployments' figures apart, and clearing one leaves the other", async () => {
    await blue.call("POST", "/produce", { body: { count: 50 } });
    await blue.consumeAll();
    const blueGlobal = (await blue.call("GET", "/stats/global")).json;
    expect(blueGlobal.total_orders + blueGlobal.failed_orders).toBe(50);

    expect((await green.call("GET", "/stats/global")).json).toMatchObject({
      total_orders: 0,
      failed_orders: 0,
    });
    expect((await green.call("GET", "/stats/months")).json).toEqual({ months: [] });
    expect((await green.call("GET", "/users")).json.total_spend_ranking).toEqual([]);
    expect((await green.call("GET", "/consumer_logs")).json.total_logs).toBe(0);

    const cleared = await green.call("DELETE", "/clear_redis_db", {
      headers: { authorization: "Bearer green-token-0123456789" },
    });
    expect(cleared.status).toBe(200);
    expect((await blue.call("GET", "/stats/global")).json).toEqual(blueGlobal);
    // and one deployment's token does not open the other's
    expect(
      (
        await blue.call("DELETE", "/clear_redis_db", {
          headers: { authorization: "Bearer green-token-0123456789" },
        })
      ).status,
    ).toBe(403);
  });
});
