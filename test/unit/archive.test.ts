import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { oldestVersions } from "../../lambdas/adapters/s3-archive";
import {
  type ArchivedMessage,
  archiveKey,
  archiveKeyTimePrefix,
  archiveLines,
  parseArchiveLine,
  readArchiveLine,
} from "../../lambdas/core/archive";
import { createOrderGenerator, seededRandom } from "../../lambdas/core/generator";
import { DEFAULT_JUDGING_RULES } from "../../lambdas/core/rules";
import { entriesOf } from "../../lambdas/workflows/rebuild-from-archive";

const message = (overrides: Partial<ArchivedMessage> = {}): ArchivedMessage => ({
  messageId: "m-1",
  sourceMessageId: "m-1",
  sentAt: "2026-11-25T12:00:00.000Z",
  outcome: "valid",
  reason: undefined,
  valueMismatch: "reject",
  body: '{"order_id":"ORD1"}',
  ...overrides,
});

const ARCHIVED_AT = "2026-11-25T12:00:01.000Z";
/** An object written at `writtenAt` under the default policy, holding these lines. */
const objectOf = (lines: string[], writtenAt = ARCHIVED_AT) => ({
  writtenAt,
  valueMismatch: "reject" as const,
  lines,
});

describe("archive lines", () => {
  it("keep a one-line JSON body as it is, as the last field, and give its exact text back", () => {
    const body = '{ "order_id" : "ORD1", "order_value": 10.50 }';
    const [line = ""] = archiveLines([message({ body })], "2026-11-25T12:00:01.000Z")
      .toString()
      .split("\n");
    expect(line.endsWith(`,"body":${body}}`)).toBe(true);
    expect(JSON.parse(line).body).toEqual({ order_id: "ORD1", order_value: 10.5 }); // jq reads it
    expect(parseArchiveLine(line)).toEqual({
      header: {
        message_id: "m-1",
        source_message_id: "m-1",
        sent_at: "2026-11-25T12:00:00.000Z",
        archived_at: "2026-11-25T12:00:01.000Z",
        outcome: "valid",
        value_mismatch: "reject",
      },
      body,
    });
  });

  it("keep malformed and multi-line bodies as strings, one line each", () => {
    const bodies = ["not json {", '{"a":\n1}', '{"x":"\\",\\"body\\":"}'];
    const text = archiveLines(
      [
        message({ outcome: "malformed", reason: "malformed", body: bodies[0] as string }),
        message({ outcome: "failed", reason: "invalid_user_id", body: bodies[1] as string }),
        message({ outcome: "malformed", reason: "malformed", body: bodies[2] as string }),
      ],
      "2026-11-25T12:00:01.000Z",
    );
    const lines = text.toString().split("\n");
    expect(lines.pop()).toBe(""); // newline-terminated
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => parseArchiveLine(line).body)).toEqual(bodies);
    expect(parseArchiveLine(lines[1] as string).header).toMatchObject({
      outcome: "failed",
      reason: "invalid_user_id",
    });
  });

  it("round-trip any body and any header text", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.boolean(), (body, id, parsed) => {
        const outcome = parsed ? "valid" : "malformed";
        // Only bodies that parsed as a JSON object are judged valid or failed.
        const realBody = parsed ? JSON.stringify({ text: body }) : body;
        const text = archiveLines([message({ messageId: id, body: realBody, outcome })], "t").toString();
        expect(text.endsWith("\n")).toBe(true);
        const line = text.slice(0, -1);
        expect(line.includes("\n")).toBe(false);
        const back = parseArchiveLine(line);
        expect(back.body).toBe(realBody);
        expect(back.header.message_id).toBe(id);
      }),
    );
  });
});

describe("archive lines read back", () => {
  const lineOf = (overrides: Partial<ArchivedMessage>) =>
    archiveLines([message(overrides)], ARCHIVED_AT)
      .toString()
      .trimEnd();

  it("are what the consumer writes", () => {
    expect(readArchiveLine(lineOf({}))).toEqual(parseArchiveLine(lineOf({})));
    expect(
      readArchiveLine(lineOf({ outcome: "malformed", reason: "malformed", body: "x\ty\r" })),
    ).toBeDefined();
  });

  it.each([
    [
      "a lone surrogate in the message id (valid JSON to Node, refused by Redis's decoder)",
      { messageId: "poison-\ud800" },
    ],
    ["a lone surrogate in the source message id", { sourceMessageId: "\udc00" }],
    ["an empty message id", { messageId: "" }],
    ["a message id longer than SQS's 100 characters", { messageId: "m".repeat(101) }],
    ["a control character no queue takes, in the body", { body: '{"order_id":"ORD\u0001"}' }],
    ["U+FFFF in the body", { body: "\uffff", outcome: "malformed" as const }],
    [
      "a body larger than any queue takes (1 MiB)",
      { body: JSON.stringify({ pad: "x".repeat(1024 * 1024) }) },
    ],
    ["a sent time that is not a time", { sentAt: "yesterday" }],
  ])("are skipped with %s", (_label, overrides) => {
    expect(readArchiveLine(lineOf(overrides))).toBeUndefined();
  });

  it.each([
    ["an outcome that does not exist", { outcome: "counted" }],
    ["a policy that does not exist", { value_mismatch: "ignore" }],
    ["an archive time that is not a time", { archived_at: "later" }],
    ["a reason that is not text", { reason: 7 }],
  ])("are skipped with %s in the header", (_label, overrides) => {
    const line = lineOf({});
    const bodyAt = line.indexOf(',"body":');
    const header = { ...JSON.parse(`${line.slice(0, bodyAt)}}`), ...overrides };
    expect(readArchiveLine(`${JSON.stringify(header).slice(0, -1)}${line.slice(bodyAt)}`)).toBeUndefined();
  });
});

describe("archive keys", () => {
  it("sort by the time they were written, under an hourly folder", () => {
    const at = new Date("2026-11-25T09:05:07.042Z");
    expect(archiveKey(at, "w1-000")).toBe("archive/2026/11/25/09/20261125T090507042Z-w1-000.jsonl.gz");
    const times = ["2026-01-02T00:00:00.000Z", "2026-01-01T23:59:59.999Z", "2025-12-31T10:00:00.000Z"];
    const keys = times.map((t) => archiveKey(new Date(t), "w"));
    expect([...keys].sort()).toEqual([keys[2], keys[1], keys[0]]);
    // Everything written at or after a time sorts after its prefix (a clear's marker).
    expect(archiveKey(at, "a") > archiveKeyTimePrefix(at)).toBe(true);
    expect(archiveKey(new Date(at.getTime() - 1), "z") < archiveKeyTimePrefix(at)).toBe(true);
  });
});

describe("a rebuild's judging of archived lines", () => {
  it("gives the entries the consumer recorded, and counts lines the rules now judge otherwise", () => {
    const generate = createOrderGenerator({ random: seededRandom(7) });
    const orders = Array.from({ length: 50 }, generate);
    const messages = orders.map((g, i) =>
      message({
        messageId: `m-${i}`,
        sourceMessageId: `m-${i}`,
        outcome: g.brokenRule ? "failed" : "valid",
        reason: g.brokenRule,
        // Sent when the generator stamped it: the date bound judges against the sending time.
        sentAt: g.order.order_timestamp,
        body: JSON.stringify(g.order),
      }),
    );
    // Archived once they were sent: the generator stamps its orders now.
    const writtenAt = new Date().toISOString();
    const lines = archiveLines(messages, writtenAt).toString().split("\n");
    const { entries, judgedDifferently } = entriesOf(objectOf(lines, writtenAt), DEFAULT_JUDGING_RULES);
    expect(judgedDifferently).toBe(0);
    expect(entries.map((e) => e.kind)).toEqual(orders.map((g) => (g.brokenRule ? "failed" : "valid")));
    expect(entries.map((e) => e.messageId)).toEqual(messages.map((m) => m.messageId));

    const relabelled = archiveLines(
      [
        message({
          outcome: "failed",
          reason: "invalid_user_id",
          body: JSON.stringify(orders.find((g) => !g.brokenRule)?.order),
        }),
      ],
      ARCHIVED_AT,
    );
    expect(entriesOf(objectOf([relabelled.toString().trim()]), DEFAULT_JUDGING_RULES).judgedDifferently).toBe(
      1,
    );
  });
});

describe("a rebuild's cross-check of each line against its object", () => {
  const order = JSON.stringify({
    order_id: "ORD-X",
    user_id: "U1003",
    order_timestamp: "2026-11-25T11:00:00.000Z",
    order_value: 10,
    items: [{ product_id: "P1", quantity: 1, price_per_unit: 10 }],
    shipping_address: "a",
    payment_method: "UPI",
  });
  const linesOf = (overrides: Partial<ArchivedMessage>, archivedAt = ARCHIVED_AT) =>
    archiveLines([message({ body: order, ...overrides })], archivedAt)
      .toString()
      .split("\n");
  const skipped = (lines: string[]) => entriesOf(objectOf(lines), DEFAULT_JUDGING_RULES).linesSkipped;

  it("takes a line that agrees with its object, sent up to five minutes after it (another clock)", () => {
    expect(skipped(linesOf({}))).toBe(0);
    expect(skipped(linesOf({ sentAt: "2026-11-25T12:05:01.000Z" }))).toBe(0);
  });

  it.each([
    [
      "sent after its object was written (a sent_at in 9999 would make month 9999-12)",
      { sentAt: "9999-12-01T00:00:00.000Z" },
    ],
    ["sent more than five minutes after its object", { sentAt: "2026-11-25T12:05:01.001Z" }],
    ["judged under a policy its object's writer did not use", { valueMismatch: "correct" as const }],
  ])("skips a line %s", (_label, overrides) => {
    expect(skipped(linesOf(overrides))).toBe(1);
  });

  it("skips a line archived at another time than its object's", () => {
    expect(skipped(linesOf({}, "2026-11-25T12:00:00.999Z"))).toBe(1);
  });
});

describe("the versions a rebuild reads", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute));
  const version = (Key: string, VersionId: string, minute: number) => ({
    Key,
    VersionId,
    LastModified: at(minute),
  });

  it("reads each key at its oldest version: the one the consumer created, not a later overwrite", () => {
    // ListObjectVersions lists each key's versions newest first.
    const listed = [
      version("archive/a", "a-tampered", 9),
      version("archive/a", "a-original", 1),
      version("archive/b", "b-only", 2),
    ];
    expect(oldestVersions(listed, false)).toEqual({
      keys: ["archive/a", "archive/b"],
      versions: new Map([
        ["archive/a", "a-original"],
        ["archive/b", "b-only"],
      ]),
    });
  });

  it("leaves a truncated page's last key for the next page, whose older versions it may not hold yet", () => {
    const listed = [version("archive/a", "a1", 1), version("archive/b", "b-newest", 9)];
    expect(oldestVersions(listed, true)).toEqual({
      keys: ["archive/a"],
      versions: new Map([["archive/a", "a1"]]),
    });
    // ...unless it is the only key: the page then says what it can.
    expect(oldestVersions([version("archive/b", "b-newest", 9)], true).keys).toEqual(["archive/b"]);
  });
});
