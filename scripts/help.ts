/**
 * `npm run help`: every npm script with a line on what it does, in the order a newcomer meets them
 * (package.json's `scripts-info`; test/unit/npm-scripts.test.ts keeps one line per script).
 */
import { readFileSync } from "node:fs";

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  "scripts-info": Record<string, string>;
};
const info = Object.entries(manifest["scripts-info"]);
const width = Math.max(...info.map(([name]) => name.length)) + 2;
for (const [name, what] of info) console.log(`npm run ${name.padEnd(width)}${what}`);
