import type { ConsumerLogEntry } from "../core/analytics-store";

/**
 * The consumer log's `message` line, in the original service's wording (its formats are listed in
 * the seed's LOG-MESSAGES.md), so that tools reading its `/consumer_logs` keep working. The
 * original wrote several lines per message; one entry here is one message, so it gets the line
 * that says how that message ended. Duplicates are new (the original had no such outcome).
 */
export function seedLogMessage(entry: ConsumerLogEntry): string {
  // An order's fields are whatever its writer sent: a newline in an order id must not make a
  // second, forged line for whoever reads the log line by line.
  return escapeControlCharacters(seedLogLine(entry));
}

function seedLogLine(entry: ConsumerLogEntry): string {
  const logged = entry.details;
  const who = `[USER: ${text(logged.user_id)}] [ORDER: ${text(logged.order_id)}]`;
  switch (entry.outcome) {
    case "valid":
      return logged.corrected
        ? `[ERROR] Order value mismatch: ${pythonFloat(logged.computed_value)} != ${pythonFloat(logged.order_value)}, fixing with correct value`
        : `${who} Processed successfully`;
    case "duplicate":
      return `${who} Duplicate of an order already counted, skipping order`;
    case "malformed":
      return `[ERROR] Error processing message: ${Array.isArray(logged.details) ? logged.details.join("; ") : text(logged.details)}`;
    case "failed":
      switch (logged.reason) {
        case "invalid_order_id":
          return `[ERROR] Invalid/missing order ID: ${text(logged.order_id)}, skipping order`;
        case "invalid_user_id":
          return `[ERROR] Invalid/missing user ID: ${text(logged.user_id)}, skipping order`;
        case "non_positive_value":
          return `[ERROR] Invalid/missing order value: ${pythonFloat(logged.order_value)}, skipping order`;
        case "value_mismatch":
          return `[ERROR] Order value mismatch: ${pythonFloat(logged.computed_value)} != ${pythonFloat(logged.order_value)}, tracking as failed order`;
        default:
          return `${who} Validation failed, tracking as failed order`;
      }
  }
}

/** The original's timestamp format: `YYYY-MM-DD HH:MM:SS` (UTC). */
export function seedLogTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
}

function text(value: unknown): string {
  return value === undefined || value === null ? "None" : String(value);
}

/** A number as Python prints a float (the original's lines were f-strings of floats): 100 -> 100.0. */
function pythonFloat(value: unknown): string {
  if (typeof value !== "number") return text(value);
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** Control characters (C0, DEL, C1) and Unicode's line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED_ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** Each control character as an escape, `\n` or `\u001b` as JSON writes it: the line stays one line. */
function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (char) => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
