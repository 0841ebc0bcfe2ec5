/**
 * The measured figures in the documentation, rendered from the committed bench/results/*.json
 * between marker comments, so prose stays hand-written and no figure is copied by hand:
 *
 *   <!-- rendered from bench/results/latest.json: end-to-end (npm run docs) -->
 *   ...the table, written by `npm run docs`...
 *   <!-- end rendered -->
 *
 * Another table is one entry below: its results file, its name, one function from that file's
 * JSON to Markdown. test/unit/docs.test.ts fails when a committed page differs from its rendering.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type BreakdownInput, renderBreakdownTable } from "../bench/read-breakdown.ts";
import {
  type BenchResults,
  benchCaption,
  consumerTable,
  endToEndTable,
  memoryTable,
  type OriginalResults,
  originalCaption,
  originalTable,
  readsTable,
  reliabilityTable,
} from "../bench/tables.ts";

// biome-ignore lint/suspicious/noExplicitAny: each renderer states the shape of its own file
type Renderer = (results: any) => string;

const TABLES: Record<string, Record<string, Renderer>> = {
  "bench/results/latest.json": {
    consumer: (r: BenchResults) => `${benchCaption(r)}:\n\n${consumerTable(r)}`,
    "end-to-end": (r: BenchResults) => `${benchCaption(r)}:\n\n${endToEndTable(r)}`,
    reads: (r: BenchResults) => `${benchCaption(r)}:\n\n${readsTable(r)}`,
    memory: (r: BenchResults) => `${benchCaption(r)}:\n\n${memoryTable(r)}`,
  },
  "bench/results/original.json": {
    original: (r: OriginalResults) => `${originalCaption(r)}:\n\n${originalTable(r)}`,
    breakdown: (r: BreakdownInput) => renderBreakdownTable(r),
  },
  "bench/results/reliability.json": { scenarios: reliabilityTable },
};

const BLOCK = /(<!-- rendered from (\S+): (\S+) \(npm run docs\) -->)[\s\S]*?(<!-- end rendered -->)/g;

/** The Markdown files that may hold rendered tables: README.md and docs/, relative to `root`. */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, "docs"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
  return ["README.md", "CONTRIBUTING.md", ...docs.sort()];
}

/** `text` with every rendered block rendered again from the results files under `root`. */
export function renderTables(root: string, text: string): string {
  const results = new Map<string, unknown>();
  const resultsOf = (file: string) => {
    if (!results.has(file)) results.set(file, JSON.parse(readFileSync(join(root, file), "utf8")));
    return results.get(file);
  };
  return text.replace(BLOCK, (_block, open: string, file: string, table: string, close: string) => {
    const render = TABLES[file]?.[table];
    if (!render) throw new Error(`no renderer for ${file}: ${table} (scripts/rendered-tables.ts lists them)`);
    return `${open}\n${render(resultsOf(file))}\n${close}`;
  });
}
