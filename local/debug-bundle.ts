import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * A function's bundle made ready for a debugger: a copy of its asset whose source map names each
 * source by its absolute path and carries its text. The deployed bundles keep maps without the
 * sources' text (a third of the size, read by every environment at init); a debugging session
 * wants them, so that breakpoints set in lambdas/*.ts bind and Chrome DevTools can show the code.
 * The copy is made under the cloud assembly (`debug/<logical id>/`), anew for each run.
 */
export function debuggableBundle(entryFile: string, assemblyDir: string, logicalId: string): string {
  const assetDir = dirname(entryFile);
  const copyDir = join(assemblyDir, "debug", logicalId);
  rmSync(copyDir, { recursive: true, force: true });
  cpSync(assetDir, copyDir, { recursive: true });
  const mapFile = join(copyDir, `${entryFile.slice(assetDir.length + 1)}.map`);
  if (existsSync(mapFile)) {
    const map = JSON.parse(readFileSync(mapFile, "utf8")) as {
      sources: string[];
      sourcesContent?: (string | null)[];
    };
    map.sources = map.sources.map((source) => resolve(assetDir, source));
    map.sourcesContent = map.sources.map((source) =>
      existsSync(source) ? readFileSync(source, "utf8") : null,
    );
    writeFileSync(mapFile, JSON.stringify(map));
  }
  return join(copyDir, entryFile.slice(assetDir.length + 1));
}
