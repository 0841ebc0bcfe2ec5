import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../local/synth";

/** `npm run help` lists every npm script with a line on it: none missing, none stale. */

const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
  "scripts-info": Record<string, string>;
};

describe("npm run help", () => {
  it("describes every script, and only scripts that exist", () => {
    expect(Object.keys(manifest["scripts-info"]).sort()).toEqual(Object.keys(manifest.scripts).sort());
    for (const [name, what] of Object.entries(manifest["scripts-info"]))
      expect(what.length, name).toBeGreaterThan(3);
  });
});
