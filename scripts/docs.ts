/**
 * `npm run docs`: renders the measured figures in README.md and docs/ again from the committed
 * bench/results/*.json (scripts/rendered-tables.ts), and says which pages changed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine } from "../local/command-line.ts";
import { documentationFiles, renderTables } from "./rendered-tables.ts";

parseCommandLine("npm run docs", {}, process.argv.slice(2));

const root = join(import.meta.dirname, "..");
let changed = 0;
for (const file of documentationFiles(root)) {
  const text = readFileSync(join(root, file), "utf8");
  const rendered = renderTables(root, text);
  if (rendered === text) continue;
  writeFileSync(join(root, file), rendered);
  console.log(`rendered ${file}`);
  changed++;
}
console.log(changed === 0 ? "every rendered table is up to date" : `${changed} page(s) rendered`);
