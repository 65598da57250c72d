// Publishes the jobs' notice and result events to the project's EventBridge bus.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '#lib/jobs/ports.ts';
import { EventPublishError, fitDetail } from './events.ts';

export function eventBridgePublisher(
  client: EventBridgeClient,
  busName: string,
  source: string,
): EventPublisher {
  return {
    async publish(detailType, detail) {
      const out = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: source,
              DetailType: detailType,
              Detail: JSON.stringify(fitDetail(detail)),
            },
          ],
        }),
      );
      if (out.FailedEntryCount) {
        const entry = out.Entries?.[0];
        throw new EventPublishError(
          `event ${detailType} not accepted by bus ${busName}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
    },
  };
}

/** The publisher with a default client (the composition root builds it on the first event). */
export function defaultEventBridgePublisher(busName: string, source: string): EventPublisher {
  return eventBridgePublisher(new EventBridgeClient({}), busName, source);
}
