/** The publish events of a data folder or, with LARDER_DATABASE_URL, of every replica, as LARDER_WEBHOOKS and the event settings configure them. */
import { join } from 'node:path'
import type { LarderConfig } from '../config/index.js'
import { openDatabaseEventLog } from '../database/event-log.js'
import type { Database } from '../database/database.js'
import { databaseReceiverCursors } from '../database/webhook-cursors.js'
import type { Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import { createPublishEvents, type PublishEvents } from './publish-events.js'

export function publishEventsFromConfig(config: LarderConfig, logger: Logger, metrics?: MetricsRegistry, database?: Database): PublishEvents {
  return createPublishEvents({
    dir: join(config.dataDir, 'events'),
    // Replicas share one log and one sender per receiver, whichever replica made the change or answers the poll.
    ...(database
      ? { openLog: () => openDatabaseEventLog(database, { retentionMs: config.eventsRetentionMs }), cursorFor: databaseReceiverCursors(database) }
      : {}),
    webhooks: config.webhooks,
    ...(config.webhookSecret ? { secret: config.webhookSecret } : {}),
    maxRetryMs: config.webhookRetryMaxMs,
    retentionMs: config.eventsRetentionMs,
    logger,
    ...(metrics ? { metrics } : {}),
  })
}
