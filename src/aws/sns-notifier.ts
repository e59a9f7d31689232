import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { RenderedMessage } from "../alerts/model.js";
import { snsMessageJson } from "../alerts/render.js";
import type { Notifier } from "../alerts/ports.js";
import { AlertDeliveryError } from "../errors.js";

/**
 * Publishes to one standard SNS topic with `MessageStructure: "json"`: email subscribers
 * get the plain-text `email` body, AWS Chatbot (an HTTPS subscription) gets the `https`
 * custom notification, everything else gets `default`. The SDK retries throttling and
 * 5xx itself (standard mode); what still fails is the caller's to count and report.
 */
export class SnsNotifier implements Notifier {
  readonly #sns: SNSClient;
  readonly #topicArn: string;

  constructor(options: { client: SNSClient; topicArn: string }) {
    this.#sns = options.client;
    this.#topicArn = options.topicArn;
  }

  async publish(message: RenderedMessage): Promise<string> {
    // Exactly the JSON the renderer measured against SNS's 256 KB limit.
    const body = snsMessageJson(message);
    try {
      const out = await this.#sns.send(
        new PublishCommand({ TopicArn: this.#topicArn, Subject: message.subject, Message: body, MessageStructure: "json" }),
      );
      return out.MessageId ?? "";
    } catch (err) {
      const name = err instanceof Error ? err.name : "Error";
      throw new AlertDeliveryError(`publishing to ${this.#topicArn} failed: ${name}: ${(err as Error).message}`, { cause: err });
    }
  }
}
