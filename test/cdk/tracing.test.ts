import { describe, expect, it } from "vitest";
import { grantsOfFunction, resourcesOf, synthTemplate } from "./synth";

/**
 * X-Ray active tracing (the `tracing` parameter): on by default on the stage and every function,
 * with the two write actions it needs and nothing more; off when asked.
 */

const XRAY_WRITE = ["xray:PutTelemetryRecords", "xray:PutTraceSegments"];

const xrayGrants = (template: ReturnType<typeof synthTemplate>, functionId: string) =>
  grantsOfFunction(template, functionId).filter((grant) => grant.actions.some((a) => a.startsWith("xray:")));

describe("tracing", () => {
  it("is active on every function and the API stage by default, each role allowed X-Ray's writes only", () => {
    const template = synthTemplate();
    const functions = resourcesOf(template, "AWS::Lambda::Function");
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: "Active" });
      expect(
        xrayGrants(template, id)
          .flatMap((grant) => grant.actions)
          .sort(),
        id,
      ).toEqual(XRAY_WRITE);
    }
    const [[, stage] = []] = resourcesOf(template, "AWS::ApiGateway::Stage");
    expect(stage?.Properties.TracingEnabled).toBe(true);
  });

  it("is off everywhere with tracing=off", () => {
    const template = synthTemplate({ tracing: "off" });
    for (const [id, fn] of resourcesOf(template, "AWS::Lambda::Function")) {
      expect(fn.Properties.TracingConfig, id).toBeUndefined();
      expect(xrayGrants(template, id), id).toEqual([]);
    }
    const [[, stage] = []] = resourcesOf(template, "AWS::ApiGateway::Stage");
    expect(stage?.Properties.TracingEnabled).toBeFalsy();
  });
});
