import createClient from "openapi-fetch";
import type { components, paths } from "./api-types";

/**
 * The API's typed client, generated from its OpenAPI document (api-types.ts, written by
 * `npm run openapi`): every path, parameter, body and answer as the document says. The dashboard,
 * the load tool, the smoke check and the end-to-end tests all call the API through it, so a change
 * to a response schema fails the build of every caller at once.
 */

/** The document's schemas by name: `ApiSchemas["GlobalStats"]`. */
export type ApiSchemas = components["schemas"];

export interface ApiClientOptions {
  /** Sent with every request (an API key, the admin token). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** A client of the API at `baseUrl` (`.` from a page of the API itself, wherever it is mounted). */
export function apiClient(baseUrl: string, options: ApiClientOptions = {}) {
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

export type ApiClient = ReturnType<typeof apiClient>;
