import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../local/synth";
import { documentationFiles, renderTables } from "../../scripts/rendered-tables";

/**
 * The documentation as a newcomer meets it: the README short, every measured figure what the
 * committed bench/results/*.json say (rendered by `npm run docs`), every link to a file or a
 * heading of this repository going somewhere.
 */

const PAGES = documentationFiles(PROJECT_ROOT);
const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), "utf8");

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
}

/** GitHub's anchor for each heading of a page (lower case, punctuation dropped, spaces to dashes). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = (heading ?? "")
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replaceAll(" ", "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

/** Every link of a page to somewhere in this repository: `[text](target)` and `![alt](target)`. */
function localLinks(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe("the documentation", () => {
  it("keeps the README to a front page of at most 200 lines", () => {
    expect(read("README.md").trimEnd().split("\n").length).toBeLessThanOrEqual(200);
  });

  it.each(PAGES)("%s: every rendered table is what npm run docs renders from bench/results", (file) => {
    const text = read(file);
    expect(renderTables(PROJECT_ROOT, text), "run npm run docs and commit the result").toBe(text);
  });

  it.each(PAGES)("%s: every code fence is closed (an open one swallows the rest of the page)", (file) => {
    const fences = read(file).match(/^\s*```/gm) ?? [];
    expect(fences.length % 2, "a ``` without its closing ```").toBe(0);
  });

  it.each(PAGES)("%s: every relative link and #anchor resolves", (file) => {
    const text = read(file);
    const broken: string[] = [];
    for (const link of localLinks(text)) {
      const [path = "", anchor] = link.split("#");
      const target = path === "" ? join(PROJECT_ROOT, file) : join(PROJECT_ROOT, dirname(file), path);
      if (!existsSync(target)) {
        broken.push(`${link}: no ${relative(PROJECT_ROOT, target)}`);
        continue;
      }
      if (anchor === undefined) continue;
      if (statSync(target).isDirectory() || !target.endsWith(".md")) broken.push(`${link}: not a page`);
      else if (!anchors(readFileSync(target, "utf8")).has(anchor))
        broken.push(`${link}: no heading #${anchor}`);
    }
    expect(broken).toEqual([]);
  });
});
