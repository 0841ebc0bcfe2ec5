import type { deadLetterAccess } from "../adapters/dead-letters";
import type { AnalyticsStore } from "../core/analytics-store";
import type { HandlersOf } from "../shared/http";
import { ServiceUnavailableError } from "../shared/http-errors";

/** Maintenance (the admin token is checked before any of this runs): clearing, and the dead letters. */

export interface AdminDeps {
  store: AnalyticsStore;
  deadLetters: ReturnType<typeof deadLetterAccess>;
}

export function adminHandlers(deps: AdminDeps): HandlersOf<"admin"> {
  const unreachable = () => {
    throw new ServiceUnavailableError("the dead-letter queue cannot be reached");
  };
  return {
    async clearData() {
      const deleted = await deps.store.clear();
      return { message: "Redis database cleared", deleted_keys: deleted };
    },

    async getDeadLetters({ query }) {
      const [letters, total] = await Promise.all([
        deps.deadLetters.read(query.limit),
        deps.deadLetters.count(),
      ]).catch(unreachable);
      return {
        approximate_total: total,
        dead_letters: letters.map((letter) => ({
          message_id: letter.messageId,
          source_message_id: letter.sourceMessageId,
          reason: letter.reason,
          details: letter.details,
          ...(letter.orderId === undefined ? {} : { order_id: letter.orderId }),
          receive_count: letter.receiveCount,
          sent_at: letter.sentAt,
          body: letter.body,
        })),
      };
    },

    async redriveDeadLetters() {
      return await deps.deadLetters.redrive().catch(unreachable);
    },
  };
}
