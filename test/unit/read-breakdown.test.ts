import { describe, expect, it } from "vitest";
import { type BreakdownInput, renderBreakdownTable } from "../../bench/read-breakdown";

/** The breakdown table docs/performance.md shows, rendered from bench:original's JSON. */

const layers = (mainThread: number, environments: number, v8Helpers: number, redis: number) => ({
  mainThread,
  environments,
  v8Helpers,
  other: 0,
  redis,
});

const input: BreakdownInput = {
  date: "2026-12-06T14:00:00.000Z",
  rounds: 3,
  reads: [
    {
      route: "/stats/global",
      local: {
        rps: 6000,
        cpuMicrosPerRequest: layers(80, 100, 10, 22),
        redisCallsPerRequest: { hgetall: 1 },
      },
      ceiling: { rps: 9000, cpuMicrosPerRequest: layers(50, 70, 8, 20), redisCallsPerRequest: { get: 1 } },
      ratioToCeiling: 0.67,
    },
    {
      route: "/users/U1001/stats",
      local: { rps: 7000, cpuMicrosPerRequest: layers(70, 90, 9, 20), redisCallsPerRequest: { hmget: 1 } },
      ceiling: { rps: 11000, cpuMicrosPerRequest: layers(52, 72, 10, 22), redisCallsPerRequest: { get: 1 } },
      ratioToCeiling: 0.64,
    },
  ],
};

describe("renderBreakdownTable", () => {
  it("shows the hop (medians of every route's ceiling runs), then each route's layers with their share beyond it", () => {
    const lines = renderBreakdownTable(input).split("\n");
    expect(lines[0]).toBe(
      "| CPU µs a request | environment hop | GET /stats/global | GET /users/U1001/stats |",
    );
    expect(lines[1]).toBe("| --- | ---: | ---: | ---: |");
    expect(lines[2]).toMatch(/^\| main thread: .* \| 52 \| 80 \(\+28\) \| 70 \(\+18\) \|$/);
    expect(lines[3]).toMatch(/^\| environments: .* \| 72 \| 100 \(\+28\) \| 90 \(\+18\) \|$/);
    expect(lines).toContain("| **total** (beyond the hop) | **156** | **212 (+56)** | **189 (+33)** |");
    expect(lines).toContain(
      "| Redis commands a request (in a script included) | 1 GET | 1 HGETALL | 1 HMGET |",
    );
    expect(lines.at(-1)).toBe(
      "| req/s (of the ceiling measured in the same rounds) | 11000 (1.00) | 6000 (0.67) | 7000 (0.64) |",
    );
  });

  it("adds the function alone (its CPU and req/s, and local mode's share of its req/s) when every route has it", () => {
    const withAlone: BreakdownInput = {
      ...input,
      reads: input.reads.map((read, i) => ({
        ...read,
        functionAlone: {
          rps: 8000 + i * 1000,
          cpuMicrosPerRequest: layers(30, 60, 2, 20),
          redisCallsPerRequest: {},
        },
        ratioToFunctionAlone: i === 0 ? 0.75 : 0.78,
      })),
    };
    const lines = renderBreakdownTable(withAlone).split("\n");
    expect(lines.at(-2)).toBe(
      "| the function alone, in bare environments: CPU µs a request (its environments), req/s |  | 112 (60), 8000 | 112 (60), 9000 |",
    );
    expect(lines.at(-1)).toBe("| local mode's req/s of the function alone's |  | 0.75 | 0.78 |");
    expect(renderBreakdownTable(input)).not.toContain("the function alone");
  });

  it("is pure: the same JSON renders the same table", () => {
    expect(renderBreakdownTable(structuredClone(input))).toBe(renderBreakdownTable(input));
  });
});
