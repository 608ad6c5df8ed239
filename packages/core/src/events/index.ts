/** Publish events: the outbox every hosted change is announced through, webhook delivery and the polling list. */
export * from './publish-event.js'
export * from './event-log.js'
export * from './event-outbox.js'
export * from './receiver-cursor.js'
export * from './webhook-delivery.js'
export * from './publish-events.js'
export * from './events-route.js'
export * from './events-from-config.js'
