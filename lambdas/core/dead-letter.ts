/**
 * What a dead letter carries besides its body: the message attributes the consumer sets when it
 * sends a message to the dead-letter queue, read back by the admin API (GET /admin/dead-letters)
 * and by the consumer itself when a redriven message comes back. One place for their names.
 */

export interface DeadLetterAttributes {
  /** Why it is there: a failure reason (`malformed`, `out_of_range`). */
  reason: string;
  /** What was wrong, for people (cut to a length the queue takes). */
  details: string;
  /** The id the message first had: a redriven dead letter is a new message with the first one's id here. */
  source_message_id: string;
}

/** The attribute holding the first message id (a redelivery keeps counting under it). */
export const SOURCE_MESSAGE_ID_ATTRIBUTE = "source_message_id" satisfies keyof DeadLetterAttributes;

/** A dead letter's attributes read back; those SQS moved there itself (after maxReceiveCount) have none. */
export function readDeadLetterAttributes(
  attribute: (name: keyof DeadLetterAttributes) => string | undefined,
): Partial<DeadLetterAttributes> {
  const read: Partial<DeadLetterAttributes> = {};
  for (const name of ["reason", "details", SOURCE_MESSAGE_ID_ATTRIBUTE] as const) {
    const value = attribute(name);
    if (value !== undefined) read[name] = value;
  }
  return read;
}
