import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * No function body in the application's code runs past 60 lines: a longer one is several steps
 * that want names of their own (CONTRIBUTING.md). Generated files are left out.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const MAX_BODY_LINES = 60;
const GENERATED = new Set(["lambdas/http/client/api-types.ts"]);

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((file) => !GENERATED.has(file));
}

/** `file:line name (N lines)` for every function, method or arrow whose body is longer than `max`. */
function longFunctions(file: string, max: number): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(ROOT, file), "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const body = node.body as ts.Node;
      const first = source.getLineAndCharacterOfPosition(body.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(body.getEnd()).line;
      const lines = last - first - 1;
      const name =
        node.name?.getText() ??
        (ts.isVariableDeclaration(node.parent) ? node.parent.name.getText() : "(anonymous)");
      if (lines > max) found.push(`${file}:${first + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("function length", () => {
  it("finds a long function when there is one (the check sees bodies)", () => {
    expect(longFunctions("lambdas/sqs/process-batch.ts", 10)).toContainEqual(
      expect.stringMatching(/^lambdas\/sqs\/process-batch\.ts:\d+ processBatch \(\d+ lines\)$/),
    );
  });

  it(`keeps every function body in lambdas/, lib/ and local/ within ${MAX_BODY_LINES} lines`, () => {
    const files = ["lambdas", "lib", "local"].flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => longFunctions(file, MAX_BODY_LINES))).toEqual([]);
  });
});
