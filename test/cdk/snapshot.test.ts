import { expect, it } from "vitest";
import { maskedTemplate, synthTemplate } from "./synth";

/**
 * The whole template, so every `cdk synth` change shows up in review. After an intended change:
 * npx vitest run test/cdk -u, and commit the new snapshot with it.
 */
it("matches the reviewed template", async () => {
  await expect(maskedTemplate(synthTemplate())).toMatchFileSnapshot(
    "__snapshots__/orders-stack.template.json",
  );
});
