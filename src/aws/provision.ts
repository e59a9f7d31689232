import { CreateEventBusCommand, ResourceAlreadyExistsException } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand } from "@aws-sdk/client-sns";
import type { AlertClients } from "./clients.js";
import { ensureLedgerTable } from "./dynamodb-ledger.js";

/**
 * Creates the alert path's resources where no stack does (the local endpoint): the topic
 * (CreateTopic is idempotent by name), the event bus and the ledger table. In AWS,
 * serverless.yml creates them.
 */
export async function provisionAlertResources(
  clients: AlertClients,
  names: { topicArn?: string | undefined; topicName?: string; bus: string; table: string },
): Promise<{ topicArn: string }> {
  let topicArn = names.topicArn;
  if (topicArn === undefined) {
    const out = await clients.sns.send(new CreateTopicCommand({ Name: names.topicName ?? "cloudhsm-retention-alerts" }));
    topicArn = out.TopicArn as string;
  }
  try {
    await clients.events.send(new CreateEventBusCommand({ Name: names.bus }));
  } catch (err) {
    if (!(err instanceof ResourceAlreadyExistsException)) throw err;
  }
  await ensureLedgerTable(clients.dynamodb, names.table);
  return { topicArn };
}
