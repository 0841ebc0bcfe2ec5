import { App } from "aws-cdk-lib";
import { OrdersStack } from "../lib/orders-stack";
import { parametersFromContext } from "../lib/parameters";

/** CDK app entry: typed parameters from context -> OrdersStack. */
const app = new App();
const parameters = parametersFromContext((key) => app.node.tryGetContext(key));
new OrdersStack(app, parameters.stackName, {
  parameters,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
