/** The publish events of a data folder, as LARDER_WEBHOOKS and the event settings configure them. */
import { join } from 'node:path'
import type { LarderConfig } from '../config/index.js'
import type { Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import { createPublishEvents, type PublishEvents } from './publish-events.js'

export function publishEventsFromConfig(config: LarderConfig, logger: Logger, metrics?: MetricsRegistry): PublishEvents {
  return createPublishEvents({
    dir: join(config.dataDir, 'events'),
    webhooks: config.webhooks,
    ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
    maxRetryMs: config.webhookRetryMaxMs,
    retentionMs: config.eventsRetentionMs,
    logger,
    ...(metrics ? { metrics } : {}),
  })
}
