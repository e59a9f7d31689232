import { z } from "zod";

/**
 * AWS Chatbot (Amazon Q Developer in chat applications) custom notification, written from
 * its documentation (../shared/reference/cloudhsm-api.md §5.2, docs.aws.amazon.com
 * chatbot/latest/adminguide/custom-notifs.html), not from our code: `version` must be
 * "1.0" and `source` "custom" (both required); `id` optional; `textType` only
 * "client-markdown"; `nextSteps`, `keywords` and `relatedResources` are string lists;
 * `additionalContext` maps customer keys to strings. Strict: a key the documentation
 * does not list fails, since Chatbot may drop a message it does not understand.
 */
export const chatbotNotification = z.strictObject({
  version: z.literal("1.0"),
  source: z.literal("custom"),
  id: z.string().optional(),
  content: z.strictObject({
    textType: z.literal("client-markdown"),
    title: z.string(),
    description: z.string(),
    nextSteps: z.array(z.string()),
    keywords: z.array(z.string()),
  }),
  metadata: z.strictObject({
    threadId: z.string(),
    summary: z.string(),
    eventType: z.string(),
    relatedResources: z.array(z.string()),
    additionalContext: z.record(z.string(), z.string()),
  }),
});
