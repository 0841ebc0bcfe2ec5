/**
 * Resolves the CloudFormation intrinsics a template's environment variables use (Ref,
 * Fn::GetAtt, Fn::Join, Fn::Select, Fn::Sub without variables map) against local resources.
 */

export interface ResolverContext {
  region: string;
  accountId: string;
  /** What `Ref` returns for each logical id (a queue's URL, a function's name, ...). */
  refs: Record<string, string>;
  /** What `Fn::GetAtt [id, attribute]` returns, keyed `id.attribute`. */
  attributes: Record<string, string>;
}

export function resolveValue(value: unknown, context: ResolverContext, where: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  const record = (value ?? {}) as Record<string, unknown>;
  if ("Ref" in record) {
    const name = String(record.Ref);
    const pseudo: Record<string, string> = {
      "AWS::Region": context.region,
      "AWS::AccountId": context.accountId,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": "local",
    };
    const resolved = pseudo[name] ?? context.refs[name];
    if (resolved === undefined) throw new Error(`${where}: cannot resolve Ref ${name} locally`);
    return resolved;
  }
  if ("Fn::GetAtt" in record) {
    const [id, attribute] = record["Fn::GetAtt"] as [string, string];
    const resolved = context.attributes[`${id}.${attribute}`];
    if (resolved === undefined)
      throw new Error(`${where}: cannot resolve Fn::GetAtt ${id}.${attribute} locally`);
    return resolved;
  }
  if ("Fn::Join" in record) {
    const [separator, parts] = record["Fn::Join"] as [string, unknown[]];
    return parts.map((part) => resolveValue(part, context, where)).join(separator);
  }
  if ("Fn::Select" in record) {
    const [index, list] = record["Fn::Select"] as [number, unknown[]];
    return resolveValue(list[Number(index)], context, where);
  }
  if ("Fn::Sub" in record && typeof record["Fn::Sub"] === "string") {
    return (record["Fn::Sub"] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const [id, attribute] = name.split(".");
      return attribute
        ? resolveValue({ "Fn::GetAtt": [id, attribute] }, context, where)
        : resolveValue({ Ref: id }, context, where);
    });
  }
  throw new Error(`${where}: unsupported value ${JSON.stringify(value)}`);
}

export function resolveEnvironment(
  environment: Record<string, unknown>,
  context: ResolverContext,
  where: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      resolveValue(value, context, `${where} ${name}`),
    ]),
  );
}
