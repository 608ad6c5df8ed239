/** The publish events of a data folder, as LARDER_WEBHOOKS and the event settings configure them. */
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { LarderConfig } from '../config/index.js'
import type { Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import { createPublishEvents, type PublishEvents } from './publish-events.js'

export function publishEventsFromConfig(config: LarderConfig, logger: Logger, metrics?: MetricsRegistry): PublishEvents {
  return createPublishEvents({
    dir: outboxDir(config),
    webhooks: config.webhooks,
    ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
    maxRetryMs: config.webhookRetryMaxMs,
    retentionMs: config.eventsRetentionMs,
    logger,
    ...(metrics ? { metrics } : {}),
  })
}

/**
 * One writer per outbox: replicas on one database may share a data volume (compose replicas do), so each
 * keeps its own outbox, named by its host, and delivers the events of the changes it made.
 */
function outboxDir(config: LarderConfig): string {
  if (!config.databaseUrl) return join(config.dataDir, 'events')
  return join(config.dataDir, 'events', 'replicas', hostname().replace(/[^\w.-]/g, '_') || 'replica')
}
