import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FUNCTION_TABLE } from "../../lambdas/shared/functions";

/**
 * The dependency rule of docs/architecture.md, checked on every import of the tree: a layer
 * imports only the layers below it, so each folder can be read, changed and tested on its own.
 */

const ROOT = resolve(import.meta.dirname, "../..");

/** What each folder of `lambdas/` may import from `lambdas/` (besides itself). */
const LAMBDA_LAYERS: Record<string, readonly string[]> = {
  core: [],
  shared: ["core"],
  adapters: ["shared", "core"],
  workflows: ["adapters", "shared", "core"],
  // Entry folders: never each other.
  http: ["workflows", "adapters", "shared", "core"],
  sqs: ["workflows", "adapters", "shared", "core"],
  jobs: ["workflows", "adapters", "shared", "core"],
};

interface Import {
  /** The importing file, relative to the project root. */
  from: string;
  /** The imported file, relative to the project root. */
  to: string;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The project files a source file imports (static, dynamic and type-only imports, re-exports). */
function projectImports(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specifiers = [
    ...text.matchAll(/\bfrom\s+["']([^"']+)["']/g),
    ...text.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm),
  ].map((match) => match[1] as string);
  return specifiers
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({ from: file, to: relative(ROOT, resolve(ROOT, dirname(file), specifier)) }));
}

function importsOf(folder: string): Import[] {
  return sourceFiles(folder).flatMap(projectImports);
}

const layerOf = (path: string) => path.split("/")[1] ?? "";

describe("the dependency rule", () => {
  it("finds the imports it checks (the parser sees the tree)", () => {
    const imports = importsOf("lambdas");
    expect(imports.length).toBeGreaterThan(100);
    expect(imports).toContainEqual({ from: "lambdas/sqs/consumer.ts", to: "lambdas/sqs/process-batch" });
    // Its own regular expressions are not imports; the function table is.
    expect(projectImports("test/unit/dependency-rule.test.ts")).toEqual([
      { from: "test/unit/dependency-rule.test.ts", to: "lambdas/shared/functions" },
    ]);
  });

  it("lambdas/: each layer imports only the layers below it, entry folders never each other", () => {
    const broken = importsOf("lambdas")
      .filter(({ to }) => to.startsWith("lambdas/"))
      .filter(({ from, to }) => {
        const [source, target] = [layerOf(from), layerOf(to)];
        return source !== target && !(LAMBDA_LAYERS[source] ?? []).includes(target);
      });
    expect(broken).toEqual([]);
    // Every folder of lambdas/ has its place in the table.
    expect(new Set(sourceFiles("lambdas").map(layerOf))).toEqual(new Set(Object.keys(LAMBDA_LAYERS)));
  });

  it("lambdas/ imports nothing outside itself", () => {
    expect(importsOf("lambdas").filter(({ to }) => !to.startsWith("lambdas/"))).toEqual([]);
  });

  it("local mode knows the stack only through its template: local/ imports nothing from lambdas/ or lib/", () => {
    // Except the file hasher its synth cache shares with the CDK app's bundling (same inputs, same key),
    // and the nearest-name helper its command lines share with the stack parameters' messages.
    const allowed = new Set(["lib/file-hash.ts", "lib/nearest-name.ts"]);
    expect(importsOf("local").filter(({ to }) => /^(lambdas|lib)\//.test(to) && !allowed.has(to))).toEqual(
      [],
    );
  });

  it("lambdas/: only the entry files of the function table read process.env (the rest is given what it needs)", () => {
    const entries = new Set<string>(Object.values(FUNCTION_TABLE).map((row) => row.entry));
    const readers = sourceFiles("lambdas").filter((file) =>
      // Code, not comments: a line that reads process.env outside a comment.
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .some((line) => /process\.env/.test(line.replace(/\/\/.*$|^\s*\*.*$/, ""))),
    );
    expect(readers.length).toBeGreaterThan(0);
    expect(readers.filter((file) => !entries.has(file))).toEqual([]);
  });

  it("the benchmarks and scripts import nothing from test/", () => {
    expect(
      [...importsOf("bench"), ...importsOf("scripts")].filter(({ to }) => to.startsWith("test/")),
    ).toEqual([]);
  });
});
