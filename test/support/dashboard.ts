import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dashboardBuildCommands } from "../../lib/dashboard-build";
import { PROJECT_ROOT } from "../../local/synth";

/** The dashboard built as the stack builds it, once per test file, for the in-process docs function. */
let built: string | undefined;

export function builtDashboard(): string {
  if (built === undefined) {
    const outDir = join(mkdtempSync(join(tmpdir(), "orders-dashboard-")), "dashboard");
    execFileSync("sh", ["-c", dashboardBuildCommands(PROJECT_ROOT, outDir).join(" && ")], {
      stdio: "inherit",
    });
    built = outDir;
  }
  return built;
}
