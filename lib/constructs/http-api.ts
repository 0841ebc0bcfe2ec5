import { CfnOutput, Fn } from "aws-cdk-lib";
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
      this.api.root.resourceForPath(route.path).addMethod(route.method, integration);
    }

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
