import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { OrdersStack } from "../../lib/orders-stack";
import { parametersFromContext } from "../../lib/parameters";
import { type Template as LocalTemplate, readRoutes } from "../../local/template";

/**
 * Synthesizes the stack with these context values. Bundling is skipped (the assets are stand-ins):
 * these tests are about the template; local mode's tests run the real bundles.
 */
export function synthTemplate(context: Record<string, unknown> = {}): Template {
  const app = new App({
    context: { ...context, "aws:cdk:bundling-stacks": [] },
    analyticsReporting: false,
  });
  const parameters = parametersFromContext((key) => context[key]);
  const stack = new OrdersStack(app, parameters.stackName, { parameters });
  return Template.fromStack(stack);
}

/**
 * Synthesizes with cdk-nag's AWS Solutions rules as a validation plugin. Returns every finding not
 * acknowledged in the stack's code, as `rule at construct path` lines (empty when clean).
 */
export function unacknowledgedNagFindings(
  context: Record<string, unknown> = {},
  addToStack: (stack: OrdersStack) => void = () => {},
): string[] {
  const outdir = mkdtempSync(join(tmpdir(), "orders-nag-"));
  try {
    const app = new App({
      context: { ...context, "aws:cdk:bundling-stacks": [] },
      analyticsReporting: false,
      outdir,
    });
    const parameters = parametersFromContext((key) => context[key]);
    addToStack(new OrdersStack(app, parameters.stackName, { parameters }));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    try {
      app.synth();
      return [];
    } catch {
      const report = JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as {
        pluginReports: {
          violations: {
            ruleName: string;
            severity: string;
            violatingConstructs: { constructPath: string }[];
          }[];
        }[];
      };
      return report.pluginReports.flatMap((plugin) =>
        plugin.violations.flatMap((violation) =>
          violation.violatingConstructs.map(
            (c) => `${violation.severity} ${violation.ruleName} at ${c.constructPath}`,
          ),
        ),
      );
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

type Resource = { Type: string; Properties: Record<string, unknown> };

export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Full paths of the REST API's methods, e.g. `GET /users/{user_id}/stats`, read as local mode reads them. */
export function methodPaths(template: Template): string[] {
  const functionIds = new Set(Object.keys(template.findResources("AWS::Lambda::Function")));
  return readRoutes(template.toJSON() as LocalTemplate, functionIds).map(
    (route) => `${route.method} ${route.path}`,
  );
}

/** The template as JSON with asset hashes masked, so a snapshot changes only when the stack does. */
export function maskedTemplate(template: Template): string {
  return JSON.stringify(template.toJSON(), null, 2).replace(/[a-f0-9]{64}/g, "[ASSET-HASH]");
}

/** The logical id of the function whose description starts with `description`. */
export function functionIdOf(template: Template, description: string): string {
  const functions = resourcesOf(template, "AWS::Lambda::Function");
  return (
    functions.find(([, f]) => String(f.Properties.Description).startsWith(description))?.[0] ?? "missing"
  );
}

/** Every IAM action granted to a function's role, with the resources they apply to. */
export function grantsOfFunction(
  template: Template,
  logicalFunctionId: string,
): { actions: string[]; resources: unknown[] }[] {
  const role = (template.toJSON().Resources[logicalFunctionId].Properties.Role as { "Fn::GetAtt": string[] })[
    "Fn::GetAtt"
  ][0];
  return resourcesOf(template, "AWS::IAM::Policy")
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === role))
    .flatMap(
      ([, policy]) =>
        (
          policy.Properties.PolicyDocument as {
            Statement: { Action: string | string[]; Resource: unknown }[];
          }
        ).Statement,
    )
    .map((statement) => ({
      actions: [statement.Action].flat().sort(),
      resources: [statement.Resource].flat(),
    }));
}

/** The logical id of the template's one secret whose id starts with `name` (the CDK adds a hash). */
export function secretIdOf(template: Template, name: string): string {
  const ids = resourcesOf(template, "AWS::SecretsManager::Secret")
    .map(([id]) => id)
    .filter((id) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id));
  if (ids.length !== 1) throw new Error(`${ids.length} secrets named ${name}`);
  return ids[0] as string;
}
