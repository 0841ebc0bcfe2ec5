import { describe, expect, it } from "vitest";
import { ROUTES } from "../../lambdas/http/routes";
import { resolveValue } from "../../local/intrinsics";
import { readTemplate, type Template } from "../../local/template";
import { synthTemplate } from "../cdk/synth";

/** Local mode's reading of a template, on the stack's own synthesized template. */

// With the asset metadata local mode relies on (it synthesizes with it on), bundling skipped.
const model = readTemplate(
  synthTemplate({ "aws:cdk:enable-asset-metadata": true }).toJSON() as Template,
  "/assembly",
);

describe("readTemplate", () => {
  it("finds every function with its bundle, handler, timeout and memory size", () => {
    expect(model.functions.map((fn) => fn.name).sort()).toEqual([
      "AdminFunction",
      "Consumer",
      "DocsFunction",
      "ProducerFunction",
      "RebuildFunction",
      "StatsFunction",
    ]);
    const consumer = model.functions.find((fn) => fn.name === "Consumer");
    expect(consumer).toMatchObject({ handlerExport: "handler", timeoutSeconds: 30, memoryMb: 1024 });
    // The bundle's entry under the asset's path (here the sources: the test skips bundling).
    expect(consumer?.entryFile).toMatch(/^\/assembly\/.+\/index\.mjs$/);
    expect(model.functions.find((fn) => fn.name === "RebuildFunction")?.timeoutSeconds).toBe(900);
  });

  it("finds the queues with their redrive policy, the event source mapping, the bucket, the secrets and the key", () => {
    const orders = model.queues.find((queue) => queue.redrive);
    expect(orders?.redrive?.maxReceiveCount).toBe(5);
    expect(model.queues.map((queue) => queue.logicalId)).toContain(orders?.redrive?.deadLetterLogicalId);
    expect(model.mappings).toEqual([
      expect.objectContaining({
        batchSize: 100,
        batchingWindowSeconds: 1,
        maxConcurrency: 5,
        reportBatchItemFailures: true,
        enabled: true,
        queueLogicalId: orders?.logicalId,
      }),
    ]);
    expect(model.buckets.map((bucket) => bucket.name)).toEqual(["OrderArchiveBucket"]);
    expect(model.secrets.map((secret) => secret.name).sort()).toEqual([
      "AdminToken",
      "OrderArchiveAuthenticationKey",
    ]);
    expect(model.apiKeys).toHaveLength(1);
  });

  it("reads one route per entry of the route table, each on the function that serves it", () => {
    const routes = model.routes.map((route) => `${route.method} ${route.path}`).sort();
    expect(routes).toEqual(
      Object.values(ROUTES)
        .map((route) => `${route.method} ${route.path}`)
        .sort(),
    );
    const stats = model.functions.find((fn) => fn.name === "StatsFunction")?.logicalId;
    expect(model.routes.find((route) => route.path === "/stats/global")?.functionLogicalId).toBe(stats);
    expect(model.routes.find((route) => route.path === "/produce")?.apiKeyRequired).toBe(true);
  });
});

describe("resolveValue", () => {
  const context = {
    region: "us-east-1",
    accountId: "000000000000",
    refs: { Queue: "http://sqs/000000000000/q" },
    attributes: { "Queue.Arn": "arn:aws:sqs:us-east-1:000000000000:q" },
  };

  it("resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select and Fn::Sub against local resources", () => {
    expect(resolveValue({ Ref: "Queue" }, context, "x")).toBe("http://sqs/000000000000/q");
    expect(resolveValue({ "Fn::GetAtt": ["Queue", "Arn"] }, context, "x")).toBe(
      "arn:aws:sqs:us-east-1:000000000000:q",
    );
    expect(resolveValue({ "Fn::Join": ["-", ["a", { Ref: "AWS::Region" }]] }, context, "x")).toBe(
      "a-us-east-1",
    );
    expect(resolveValue({ "Fn::Select": [1, ["a", "b"]] }, context, "x")).toBe("b");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax
    expect(resolveValue({ "Fn::Sub": "${AWS::AccountId}/${Queue.Arn}" }, context, "x")).toBe(
      "000000000000/arn:aws:sqs:us-east-1:000000000000:q",
    );
  });

  it("names what it cannot resolve", () => {
    expect(() => resolveValue({ Ref: "Missing" }, context, "FN.ENV")).toThrow(
      "FN.ENV: cannot resolve Ref Missing locally",
    );
    expect(() => resolveValue({ "Fn::ImportValue": "x" }, context, "FN.ENV")).toThrow(/unsupported value/);
  });
});
