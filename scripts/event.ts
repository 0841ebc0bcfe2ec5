/**
 * `npm run event -- <kind>`: prints an event to start from (what `sam local generate-event` does),
 * for `npm run invoke -- <function> --event -`:
 *
 *   npm run event -- sqs [--count 10] [--malformed 1]     a batch of generated orders (a fifth invalid)
 *   npm run event -- api <route> [--param name=value] [--query name=value] [--header name=value] [--body JSON]
 *       route: its id (getUserStats) or METHOD /path (GET /users/U1003/stats)
 *   npm run event -- rebuild [--id ID]
 */
import { parseArgs } from "node:util";
import { apiEvent, rebuildEvent, sqsEvent } from "./events";

const USAGE =
  "usage: npm run event -- sqs [--count N] [--malformed N] | api <route> [--param k=v] [--query k=v] [--header k=v] [--body JSON] | rebuild [--id ID]";

function pairs(values: readonly string[] = []): Record<string, string> {
  return Object.fromEntries(
    values.map((pair) => {
      const equals = pair.indexOf("=");
      if (equals <= 0) throw new Error(`expected name=value, got ${JSON.stringify(pair)}`);
      return [pair.slice(0, equals), pair.slice(equals + 1)];
    }),
  );
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      count: { type: "string", default: "10" },
      malformed: { type: "string", default: "0" },
      param: { type: "string", multiple: true },
      query: { type: "string", multiple: true },
      header: { type: "string", multiple: true },
      body: { type: "string" },
      id: { type: "string" },
    },
  });
  const [kind, ...rest] = positionals;
  let event: unknown;
  if (kind === "sqs") {
    event = sqsEvent({ count: Number(values.count), malformed: Number(values.malformed) });
  } else if (kind === "api" && rest.length > 0) {
    event = apiEvent(rest.join(" "), {
      params: pairs(values.param),
      query: pairs(values.query),
      headers: pairs(values.header),
      ...(values.body === undefined ? {} : { body: values.body }),
    });
  } else if (kind === "rebuild") {
    event = rebuildEvent(values.id);
  } else {
    throw new Error(USAGE);
  }
  console.log(JSON.stringify(event, null, 2));
}

try {
  main();
} catch (error) {
  console.error(`npm run event: ${(error as Error).message}`);
  process.exit(2);
}
