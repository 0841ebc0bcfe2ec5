/**
 * `npm run event -- <kind>`: prints an event to start from (what `sam local generate-event` does),
 * for `npm run invoke -- <function> --event -`. `npm run event -- --help` lists the kinds and options.
 */
import { parseCommandLine, usageError } from "../local/command-line";
import { apiEvent, rebuildEvent, sqsEvent } from "./events";

const USAGE = "npm run event -- sqs | api <route> | rebuild [options]";
const ABOUT = [
  "For npm run invoke -- <function> --event -, or a file. The kinds:",
  "  sqs           a batch of generated orders (a fifth of them invalid)",
  "  api <route>   an API Gateway request; route: its id (getUserStats) or METHOD /path (GET /users/U1003/stats)",
  "  rebuild       the rebuild function's: which rebuild to go on with",
].join("\n");

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
  const { values, positionals } = parseCommandLine(
    USAGE,
    {
      count: {
        type: "string",
        value: "N",
        default: "10",
        range: [1, 10_000],
        help: "sqs: records in the batch",
      },
      malformed: {
        type: "string",
        value: "N",
        default: "0",
        range: [0, 10_000],
        help: "sqs: of them, records whose body is not an order",
      },
      param: { type: "string", multiple: true, value: "k=v", help: "api: a path parameter (repeatable)" },
      query: {
        type: "string",
        multiple: true,
        value: "k=v",
        help: "api: a query string parameter (repeatable)",
      },
      header: { type: "string", multiple: true, value: "k=v", help: "api: a request header (repeatable)" },
      body: { type: "string", value: "JSON", help: "api: the request body" },
      id: { type: "string", value: "ID", help: "rebuild: the rebuild's id (default a new one)" },
    },
    process.argv.slice(2),
    { positionals: true, about: ABOUT },
  );
  const [kind, ...rest] = positionals;
  let event: unknown;
  if (kind === "sqs") {
    if (Number(values.malformed) > Number(values.count))
      usageError(USAGE, `--malformed ${values.malformed} is more than --count ${values.count}`);
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
    usageError(USAGE, kind === "api" ? "api needs a route" : `sqs, api or rebuild, not ${kind ?? "nothing"}`);
  }
  console.log(JSON.stringify(event, null, 2));
}

try {
  main();
} catch (error) {
  console.error(`npm run event: ${(error as Error).message}`);
  process.exit(2);
}
