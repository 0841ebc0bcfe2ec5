import { createOrdersApp } from "../lib/app";

/** CDK CLI entry (cdk.json): `cdk synth`, `cdk deploy`, `cdklocal deploy`. */
createOrdersApp();
