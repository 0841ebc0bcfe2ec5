import type { AnalyticsStore } from "../core/analytics-store";
import type { HandlersOf } from "../shared/http";

/** Maintenance: clearing this deployment's analytics (the admin token is checked before this runs). */
export function adminHandlers(deps: { store: AnalyticsStore }): HandlersOf<"admin"> {
  return {
    async clearData() {
      const deleted = await deps.store.clear();
      return { message: "Redis database cleared", deleted_keys: deleted };
    },
  };
}
