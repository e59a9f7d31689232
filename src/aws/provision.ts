import { CreateEventBusCommand, ResourceAlreadyExistsException } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import type { AlertClients } from "./clients.js";
import { ensureLedgerTable } from "./dynamodb-ledger.js";

/**
 * Creates the alert path's resources where no stack does (the local endpoint): the topic
 * (CreateTopic is idempotent by name), the event bus and the ledger table. In AWS,
 * serverless.yml creates them. A resource that cannot be made is reported, not thrown: the
 * run goes on, and what needs it fails where it is used, counted and loud (exit 3).
 */
export async function provisionAlertResources(
  clients: AlertClients,
  names: { topicArn?: string | undefined; topicName?: string; bus?: string | undefined; table?: string | undefined },
): Promise<{ topicArn: string; problems: string[] }> {
  const problems: string[] = [];
  const failed = (what: string) => (err: unknown) => void problems.push(`${what}: ${(err as Error).name}: ${(err as Error).message}`);
  let topicArn = names.topicArn;
  if (topicArn === undefined) {
    const name = names.topicName ?? "cloudhsm-retention-alerts";
    const region = await clients.sns.config.region();
    // The local endpoint's account: what CreateTopic would answer, for when SNS is down.
    topicArn = `arn:aws:sns:${region}:111122223333:${name}`;
    const out = await clients.sns.send(new CreateTopicCommand({ Name: name })).catch(failed("the topic"));
    if (out?.TopicArn) topicArn = out.TopicArn;
  }
  if (names.bus !== undefined) {
    await clients.events.send(new CreateEventBusCommand({ Name: names.bus })).catch((err: unknown) => {
      if (!(err instanceof ResourceAlreadyExistsException)) failed("the event bus")(err);
    });
  }
  if (names.table !== undefined) await ensureLedgerTable(clients.dynamodb, names.table).catch(failed("the ledger table"));
  return { topicArn, problems };
}
