import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, it } from "vitest";
import { PROJECT_ROOT } from "../../local/synth";
import { runScenario, type ScenarioReport } from "./scenario";

/**
 * The promise: under faults and hostile input the service keeps answering, loses no order and
 * counts none twice. Each fault gets 20,000 orders (the generator's mix) plus malformed bodies,
 * and every figure is checked against what was sent, then again after the figures are deleted
 * and rebuilt from the order archive. RELIABILITY_ORDERS changes the count.
 */

const ORDERS = Number(process.env.RELIABILITY_ORDERS ?? 20_000);
const reports: ScenarioReport[] = [];

afterAll(() => {
  const dir = join(PROJECT_ROOT, "test-results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "reliability.json"),
    `${JSON.stringify({ date: new Date().toISOString(), reports }, null, 2)}\n`,
  );
});

describe("no order lost, none counted twice", () => {
  it.each([
    ["no fault", {}],
    ["every batch delivered twice", { duplicateDelivery: true }],
    ["consumer crashes mid-batch", { crashConsumerRate: 0.05 }],
    ["Redis slow and its connections cut", { redisLatencyMs: 2, redisDropEveryMs: 1000 }],
    ["SendMessageBatch fails entries", { sqsSendFailureRate: 0.1 }],
    ["archive writes fail", { archiveWriteFailureRate: 0.05 }],
  ] as const)("%s", async (name, faults) => {
    reports.push(await runScenario({ name, faults, orders: ORDERS, malformedEvery: 50 }));
  });
});
