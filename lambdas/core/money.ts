/**
 * Money is integer cents inside the system. Amounts arrive as JSON numbers with at most two
 * decimals; anything finer, non-finite or out of range is rejected rather than rounded, so no
 * float ever accumulates.
 */

/** Largest amount accepted for a price or an order value: 10 billion, in cents. */
export const MAX_AMOUNT_CENTS = 1_000_000_000_000;

/** Converts a 2-decimal amount to integer cents exactly; `undefined` when it is not one. */
export function toCents(amount: number): number | undefined {
  if (!Number.isFinite(amount)) return undefined;
  const cents = Math.round(amount * 100);
  // Division is correctly rounded, so this round trip holds exactly for the double nearest to
  // any 2-decimal amount and fails for every other value (0.1 + 0.2, 1.005, ...).
  if (cents / 100 !== amount || Math.abs(cents) > MAX_AMOUNT_CENTS) return undefined;
  return cents === 0 ? 0 : cents; // no -0
}

/** Cents of an amount already checked by the order schema; throws on a broken invariant. */
export function requireCents(amount: number): number {
  const cents = toCents(amount);
  if (cents === undefined) throw new RangeError(`not a 2-decimal amount: ${amount}`);
  return cents;
}

/** True when `amount` is finite with at most two decimals (whatever its size). */
export function hasAtMostTwoDecimals(amount: number): boolean {
  return Number.isFinite(amount) && Math.round(amount * 100) / 100 === amount;
}

/** True when `amount` is a number with at most two decimals within range. */
export function isCentAmount(amount: number): boolean {
  return toCents(amount) !== undefined;
}

/**
 * A total in cents, as the store keeps it: a 64-bit integer. A number while a double holds it
 * exactly (up to 2^53 - 1), a bigint past that.
 */
export type Cents = number | bigint;

/** A stored counter's text as Cents, exact at any size Redis keeps (0 when absent). */
export function centsFromCounter(text: string | null | undefined): Cents {
  if (!text) return 0;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/**
 * Renders cents as a JSON number with at most two decimals (12345 -> 123.45). Past 2^53 cents a
 * double would round, so the number is written as exact JSON text instead (JSON.rawJSON, which
 * JSON.stringify writes as it is): the API never rounds a total.
 */
export function fromCents(cents: Cents): number {
  if (typeof cents === "number") return cents / 100;
  if (cents >= -MAX_SAFE_CENTS && cents <= MAX_SAFE_CENTS) return Number(cents) / 100;
  const magnitude = cents < 0n ? -cents : cents;
  const hundredths = String(magnitude % 100n).padStart(2, "0");
  const fraction = hundredths === "00" ? "" : `.${hundredths.replace(/0$/, "")}`;
  const text = `${cents < 0n ? "-" : ""}${magnitude / 100n}${fraction}`;
  return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(text) as number;
}

const MAX_SAFE_CENTS = BigInt(Number.MAX_SAFE_INTEGER);
