import { expect, vi } from "vitest";
import { type ApiSchemas, apiClient } from "../../lambdas/http/client/api-client";

/** What GET /admin/rebuild reports. */
export type RebuildReport = ApiSchemas["Rebuild"];

/** POST /admin/rebuild, then GET /admin/rebuild until it is done; returns the final report. */
export async function rebuildThroughApi(apiUrl: string, adminToken: string): Promise<RebuildReport> {
  const api = apiClient(apiUrl);
  const started = await api.POST("/admin/rebuild", { headers: { authorization: `Bearer ${adminToken}` } });
  expect(started.response.status).toBe(202);
  expect(started.data).toMatchObject({ status: "running" });
  return vi.waitFor(
    async () => {
      const { data: report } = await api.GET("/admin/rebuild");
      expect(report?.status, report?.error).toBe("done");
      return report as RebuildReport;
    },
    { timeout: 180_000, interval: 250 },
  );
}
