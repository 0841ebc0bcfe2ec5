/**
 * `npm run help`: every npm script with a line on what it does, in the order a newcomer meets them
 * (package.json's `scripts-info`; test/unit/npm-scripts.test.ts keeps one line per script).
 */
import { readFileSync } from "node:fs";
import { parseCommandLine } from "../local/command-line.ts";

parseCommandLine("npm run help", {}, process.argv.slice(2));

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  "scripts-info": Record<string, string>;
};
const info = Object.entries(manifest["scripts-info"]);
const width = Math.max(...info.map(([name]) => name.length)) + 2;
for (const [name, what] of info) console.log(`npm run ${name.padEnd(width)}${what}`);
console.log("\nThose that take options list them: npm start -- --help, npm run <name> -- --help");
