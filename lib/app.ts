import { App, type AppProps } from "aws-cdk-lib";
import { OrdersStack } from "./orders-stack";
import { parametersFromContext } from "./parameters";

/**
 * Builds the CDK app: typed parameters from context -> OrdersStack. The CDK CLI runs it through
 * bin/app.ts; local mode calls it directly and runs what it synthesizes.
 */
export function createOrdersApp(props: AppProps = {}): { app: App; stack: OrdersStack } {
  const app = new App(props);
  const parameters = parametersFromContext(
    (key) => app.node.tryGetContext(key),
    Object.keys(app.node.getAllContext()),
  );
  const stack = new OrdersStack(app, parameters.stackName, {
    parameters,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  return { app, stack };
}
