import { CfnOutput, Fn, Validations } from "aws-cdk-lib";
import { EndpointType, LambdaIntegration, RestApi } from "aws-cdk-lib/aws-apigateway";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { type HttpFunctionName, ROUTES, type RouteSpec } from "../../lambdas/http/routes";

/**
 * The REST API (API Gateway v1: HTTP APIs are not in LocalStack's free tier), one method per
 * route of the route table, each a Lambda proxy integration to the route's function.
 */

export interface HttpApiProps {
  functions: Record<HttpFunctionName, IFunction>;
  stageName: string;
  throttlingRateLimit: number;
  throttlingBurstLimit: number;
}

export class HttpApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    this.api = new RestApi(this, "Api", {
      restApiName: "orders-pipeline",
      description: "Orders pipeline: produce and submit orders, query the analytics",
      endpointTypes: [EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
      },
    });
    const integrations = new Map<HttpFunctionName, LambdaIntegration>();
    for (const route of Object.values(ROUTES) as RouteSpec[]) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new LambdaIntegration(props.functions[route.function], { allowTestInvoke: false });
        integrations.set(route.function, integration);
      }
      const method = this.api.root.resourceForPath(route.path).addMethod(route.method, integration);
      const access = route.admin
        ? "An admin route: the function requires the admin bearer token from Secrets Manager and refuses to start without one."
        : route.method === "GET"
          ? "A public read of aggregate figures, as in the original service; stage throttling bounds its use."
          : "A write route, open as in the original service; stage throttling bounds its use.";
      for (const rule of ["AwsSolutions-APIG4", "AwsSolutions-COG4"]) {
        Validations.of(method).acknowledge({
          id: rule,
          reason: `${access} No Cognito user pool is part of this service.`,
        });
      }
    }
    Validations.of(this.api).acknowledge({
      id: "AwsSolutions-APIG2",
      reason:
        "Every request is validated by the function against the route table's zod schemas (path, query and body, 400 naming each field), which API Gateway's request models would only duplicate.",
    });
    const stage = this.api.deploymentStage;
    const accountRole =
      "needs the account-wide API Gateway CloudWatch role, which one application's stack should not own; every function logs each request itself (Powertools) and the stack's dashboard and alarms read API Gateway's metrics.";
    Validations.of(stage).acknowledge({ id: "AwsSolutions-APIG1", reason: `Access logging ${accountRole}` });
    Validations.of(stage).acknowledge({
      id: "AwsSolutions-APIG6",
      reason: `Execution logging ${accountRole}`,
    });
    Validations.of(stage).acknowledge({
      id: "AwsSolutions-APIG3",
      reason:
        "No WAF web ACL by default (from $5 a month plus per-request charges); stage throttling limits request rates. Attach one where the API faces hostile traffic.",
    });

    new CfnOutput(scope, "ApiId", { value: this.api.restApiId, description: "REST API id" });
    new CfnOutput(scope, "ApiUrl", { value: this.api.url, description: "Invoke URL on AWS" });
    new CfnOutput(scope, "LocalApiUrl", {
      value: Fn.join("", [
        "http://localhost:4566/_aws/execute-api/",
        this.api.restApiId,
        `/${props.stageName}/`,
      ]),
      description: "Invoke URL on LocalStack",
    });
  }
}
