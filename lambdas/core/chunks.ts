/** `items` in consecutive groups of at most `size` (the last may be shorter). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const groups: T[][] = [];
  for (let start = 0; start < items.length; start += size) groups.push(items.slice(start, start + size));
  return groups;
}

/** SQS's limit on the entries of one batch call (SendMessageBatch, ChangeMessageVisibilityBatch...). */
export const SQS_BATCH_ENTRIES = 10;
