import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../lambdas/shared/config";
import { type EnvironmentOf, FUNCTION_TABLE, type FunctionName } from "../../lambdas/shared/functions";
import { synthTemplate } from "./synth";

/**
 * The function table (lambdas/shared/functions.ts) is the one contract between the stack and its
 * functions: the stack sets each function's environment through a call typed by the table, and
 * the function parses the same schema at cold start.
 */

const ROOT = join(import.meta.dirname, "../..");

/** What `AppFunction.setEnvironment` takes for function N: the compiler checks it. */
const environmentFor = <N extends FunctionName>(_name: N, environment: EnvironmentOf<N>) => environment;

describe("the function table", () => {
  it("refuses, at compile time, a misspelt variable or a missing one", () => {
    // The lines below compile only because each is an error tsc expects: `npm run typecheck`
    // fails if a misspelt or missing variable ever stops being one.
    const queueUrl = "https://sqs.us-east-1.amazonaws.com/000000000000/orders";
    // @ts-expect-error QUEUE_ULR is not a variable the producer reads
    environmentFor("producer", { QUEUE_URL: queueUrl, PRODUCE: "on", QUEUE_ULR: queueUrl });
    // @ts-expect-error the producer cannot do without QUEUE_URL
    environmentFor("producer", { PRODUCE: "on" });
    // A variable with a default may be left out (BODY_LIMIT_BYTES).
    expect(environmentFor("producer", { QUEUE_URL: queueUrl, PRODUCE: "on" })).toEqual({
      QUEUE_URL: queueUrl,
      PRODUCE: "on",
    });
  });

  it("names entry files that exist", () => {
    for (const row of Object.values(FUNCTION_TABLE))
      expect(existsSync(join(ROOT, row.entry)), row.entry).toBe(true);
  });

  it("is what the synthesized functions are given: each parses its own environment", () => {
    const resources = synthTemplate().toJSON().Resources as Record<string, Resource>;
    const logicalIds: Record<FunctionName, string> = {
      consumer: "Consumer",
      rebuild: "RebuildFunction",
      docs: "DocsFunction",
      producer: "ProducerFunction",
      stats: "StatsFunction",
      admin: "AdminFunction",
    };
    for (const [name, prefix] of Object.entries(logicalIds) as [FunctionName, string][]) {
      const [, fn] = Object.entries(resources).find(
        ([id, resource]) => id.startsWith(prefix) && resource.Type === "AWS::Lambda::Function",
      ) ?? [undefined, undefined];
      const variables = fn?.Properties.Environment?.Variables ?? {};
      const resolved = Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [
          key,
          typeof value === "string" ? value : deployed(key),
        ]),
      );
      expect(() => parseEnv(FUNCTION_TABLE[name].environment, resolved), name).not.toThrow();
    }
  });

  it("makes a function that is not given a variable it cannot do without fail at cold start, naming it", () => {
    expect(() =>
      parseEnv(FUNCTION_TABLE.consumer.environment, { REDIS_URL: "redis://127.0.0.1:6379" }),
    ).toThrow(ConfigError);
    expect(() => parseEnv(FUNCTION_TABLE.producer.environment, {})).toThrow(/QUEUE_URL/);
  });
});

interface Resource {
  Type: string;
  Properties: { Environment?: { Variables?: Record<string, unknown> } };
}

/** What a variable the template sets by reference (a queue's URL, a bucket's name) is once deployed. */
function deployed(variable: string): string {
  const values: Record<string, string> = {
    QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/orders",
    DLQ_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/dead-letters",
    QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:orders",
    DLQ_ARN: "arn:aws:sqs:us-east-1:000000000000:dead-letters",
    ARCHIVE_BUCKET: "orders-archive",
    ADMIN_TOKEN_SECRET_ID: "arn:aws:secretsmanager:us-east-1:000000000000:secret:admin-token",
    ARCHIVE_KEY_SECRET_ID: "arn:aws:secretsmanager:us-east-1:000000000000:secret:archive-key",
    REBUILD_FUNCTION_NAME: "OrdersPipeline-rebuild",
  };
  const value = values[variable];
  if (value === undefined) throw new Error(`no deployed value known for ${variable}: add one here`);
  return value;
}
