import { expect, vi } from "vitest";

/** What GET /admin/rebuild reports. */
export interface RebuildReport {
  status: string;
  objects_read: number;
  orders_read: number;
  orders_per_second: number;
  judged_differently: number;
  invocations: number;
  error?: string;
}

/** POST /admin/rebuild, then GET /admin/rebuild until it is done; returns the final report. */
export async function rebuildThroughApi(apiUrl: string, adminToken: string): Promise<RebuildReport> {
  const started = await fetch(`${apiUrl}/admin/rebuild`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect(started.status).toBe(202);
  expect(await started.json()).toMatchObject({ status: "running" });
  return vi.waitFor(
    async () => {
      const report = (await (await fetch(`${apiUrl}/admin/rebuild`)).json()) as RebuildReport;
      expect(report.status, report.error).toBe("done");
      return report;
    },
    { timeout: 180_000, interval: 250 },
  );
}
