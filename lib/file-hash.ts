import type { Hash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Hashing the files something is built from, to know when to build it again: the CDK app keys
 * each function's bundle on it (constructs/app-function.ts), local mode its cached synth
 * (local/synth.ts). Paths count relative to `root`, so a clone elsewhere hashes alike.
 */
export function updateWithFiles(hash: Hash, root: string, paths: readonly string[]): Hash {
  const files = paths.flatMap((path) => (existsSync(path) ? filesUnder(path) : []));
  for (const file of files.sort()) hash.update(relative(root, file)).update(readFileSync(file));
  return hash;
}

/** The file itself, or every file below a directory. */
function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}
