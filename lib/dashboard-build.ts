import { DASHBOARD_PAGE, STATIC_ASSETS } from "../lambdas/http/static-assets";

/**
 * How the dashboard's files (lambdas/http/dashboard/) become what the docs function serves:
 * its TypeScript bundled by esbuild for the browser, its page and stylesheet copied as they are.
 * One definition for the two places that build it: the docs function's bundling (orders-stack.ts)
 * and the in-process API of the tests.
 */

const DASHBOARD_SOURCE = "lambdas/http/dashboard";

/** Shell commands that build the dashboard from the project at `projectDir` into `outDir`. */
export function dashboardBuildCommands(projectDir: string, outDir: string): string[] {
  const source = `${projectDir}/${DASHBOARD_SOURCE}`;
  return [
    `mkdir -p "${outDir}"`,
    `"${projectDir}/node_modules/.bin/esbuild" "${source}/dashboard.ts" --bundle --minify --format=iife --target=es2020 --log-level=warning --outfile="${outDir}/${STATIC_ASSETS["dashboard.js"].built}"`,
    `cp "${source}/index.html" "${outDir}/${DASHBOARD_PAGE}"`,
    `cp "${source}/dashboard.css" "${outDir}/${STATIC_ASSETS["dashboard.css"].built}"`,
  ];
}
