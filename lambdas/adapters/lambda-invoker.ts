import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";

/** Starts a function asynchronously (Lambda queues the event and answers 202 at once). */
export async function invokeAsync(
  lambda: LambdaClient,
  functionName: string,
  payload: unknown,
): Promise<void> {
  const reply = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: "Event",
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  if (reply.StatusCode !== 202)
    throw new Error(`${functionName} was not queued (status ${reply.StatusCode})`);
}
