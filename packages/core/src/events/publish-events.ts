/** Publish events for a process: recorded to the outbox by the mirrors, delivered to LARDER_WEBHOOKS, listed for pollers. */
import { join } from 'node:path'
import type { Dispatcher } from 'undici'
import { LarderError } from '../errors/index.js'
import { errorFields, type Logger } from '../log/index.js'
import type { MetricsRegistry } from '../metrics/index.js'
import { createDispatcher } from '../upstream/upstream-dispatcher.js'
import type { EventLog, ReceiverCursorFactory } from './event-log.js'
import { EventOutbox } from './event-outbox.js'
import { parseEventId, type EventInput, type PublishEvent } from './publish-event.js'
import { fileReceiverCursor } from './receiver-cursor.js'
import { DEFAULT_WEBHOOK_TIMEOUT_MS, WebhookReceiver } from './webhook-delivery.js'

/** How often delivery tries again to open a database event log that could not be opened at start. */
export const DELIVERY_RETRY_MS = 5_000

/** The most events one GET /-/events answers. */
export const MAX_EVENTS_PER_PAGE = 1000

export interface PublishEventsOptions {
  /** <data>/events: the outbox and each receiver's cursor, unless `openLog` and `cursorFor` keep them elsewhere. */
  dir: string
  /** The log to record to (the database's, shared by replicas); the outbox in `dir` by default. */
  openLog?: () => Promise<EventLog>
  /** Where each receiver's cursor and sender claim live; a file in `dir` by default. */
  cursorFor?: ReceiverCursorFactory
  webhooks: readonly string[]
  secret?: string
  logger: Logger
  metrics?: MetricsRegistry
  retentionMs?: number
  firstRetryMs?: number
  maxRetryMs?: number
  claimRenewMs?: number
  timeoutMs?: number
  /** Where HTTP(S)_PROXY and NO_PROXY are read for the receivers (process.env). */
  env?: Record<string, string | undefined>
}

export interface EventPage {
  events: PublishEvent[]
  /** Pass as `since` for the next page; the same as `since` when nothing was new. */
  next: string
}

export interface PublishEvents {
  /** Appends the event to the outbox; never rejects (a failure is logged): the change it reports has happened. */
  record(input: EventInput): Promise<PublishEvent | undefined>
  /** Events after `since` (an id, or none for the oldest still held), oldest first. */
  list(since: string | undefined, limit: number, visible?: (event: PublishEvent) => boolean): Promise<EventPage>
  /** Starts delivering to the webhooks (the server calls it; commands that only read the store do not). */
  startDelivery(): Promise<void>
  close(): Promise<void>
}

export function createPublishEvents(options: PublishEventsOptions): PublishEvents {
  const { logger } = options
  let opened: Promise<EventLog> | undefined
  const outbox = () => {
    opened ??= options.openLog
      ? options.openLog()
      : EventOutbox.open({ dir: options.dir, ...(options.retentionMs ? { retentionMs: options.retentionMs } : {}) })
    // A log that could not open (the database was down) is tried again by the next call, not given up on.
    opened.catch(() => {
      opened = undefined
    })
    return opened
  }
  const cursorFor: ReceiverCursorFactory = options.cursorFor ?? ((url, log) => fileReceiverCursor(join(options.dir, 'receivers'), url, log))
  let dispatcher: Dispatcher | undefined
  let retry: NodeJS.Timeout | undefined
  let closed = false
  const receivers: WebhookReceiver[] = []
  const recorded = options.metrics?.counter('larder_events_total', 'Publish events recorded, by ecosystem and type', ['ecosystem', 'type'])
  const attempts = options.metrics?.counter('larder_webhook_attempts_total', 'Webhook deliveries tried, by result', ['result'])
  options.metrics?.gauge('larder_webhook_backlog', 'Events not yet taken by the slowest webhook receiver', () =>
    Math.max(0, ...receivers.map((receiver) => receiver.backlog)),
  )

  return {
    async record(input) {
      try {
        const event = await (await outbox()).append(input)
        recorded?.inc({ ecosystem: event.ecosystem, type: event.type })
        logger.info(
          { event: event.id, type: event.type, ecosystem: event.ecosystem, name: event.name, version: event.version },
          `event ${event.type} ${event.ecosystem} ${event.name}`,
        )
        return event
      } catch (err) {
        logger.error(
          { ...errorFields(err), ecosystem: input.ecosystem, name: input.name },
          `could not record the ${input.type} event of ${input.ecosystem} ${input.name}: ${String(err)}`,
        )
        return undefined
      }
    },

    async list(since, limit, visible = () => true) {
      const box = await outbox()
      let after = 0
      if (since !== undefined && since !== '') {
        const parsed = parseEventId(since) ?? (/^\d{1,15}$/.test(since) ? { outbox: box.id, seq: Number(since) } : undefined)
        if (!parsed) throw new LarderError('E_BAD_REQUEST', `since must be an event id such as ${box.id}-12, got "${since.slice(0, 64)}"`)
        if (parsed.outbox !== box.id) {
          throw new LarderError('E_BAD_REQUEST', `since names an event of another outbox (${parsed.outbox}); this Larder's is ${box.id}`, {
            hint: 'the data folder was replaced: read again without since',
          })
        }
        after = parsed.seq
      }
      const events: PublishEvent[] = []
      const want = Math.min(Math.max(1, limit), MAX_EVENTS_PER_PAGE)
      let last = after
      while (events.length < want) {
        const batch = await box.read(last, want)
        if (batch.length === 0) break
        for (const event of batch) {
          last = parseEventId(event.id)?.seq ?? last
          if (visible(event)) events.push(event)
          if (events.length >= want) break
        }
      }
      return { events, next: last === 0 ? '' : `${box.id}-${last}` }
    },

    async startDelivery() {
      if (receivers.length || options.webhooks.length === 0 || closed) return
      let box: EventLog
      try {
        box = await outbox()
      } catch (err) {
        // The database's log: a replica starts while PostgreSQL is down (/readyz says so) and delivers once it is up.
        if (!options.openLog) throw err
        logger.warn({ ...errorFields(err) }, `webhook delivery waits for the event log (${String(err)}); trying again in ${DELIVERY_RETRY_MS / 1000} s`)
        retry = setTimeout(() => void this.startDelivery().catch(() => {}), DELIVERY_RETRY_MS)
        retry.unref()
        return
      }
      if (receivers.length || closed) return
      const timeout = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS
      dispatcher = createDispatcher({
        connectTimeoutMs: timeout,
        headersTimeoutMs: timeout,
        bodyTimeoutMs: timeout,
        maxConnectionsPerOrigin: 2,
        env: options.env ?? process.env,
      }).dispatcher
      for (const url of options.webhooks) {
        const receiver = new WebhookReceiver({
          url,
          log: box,
          cursor: cursorFor(url, box),
          dispatcher,
          logger,
          ...(options.secret ? { secret: options.secret } : {}),
          timeoutMs: timeout,
          ...(options.firstRetryMs ? { firstRetryMs: options.firstRetryMs } : {}),
          ...(options.maxRetryMs ? { maxRetryMs: options.maxRetryMs } : {}),
          ...(options.claimRenewMs ? { claimRenewMs: options.claimRenewMs } : {}),
          onAttempt: (result) => attempts?.inc({ result }),
        })
        receivers.push(receiver)
        receiver.start()
      }
    },

    async close() {
      closed = true
      clearTimeout(retry)
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()))
      const closing = dispatcher
      dispatcher = undefined
      await closing?.close()
      const box = opened
      opened = undefined
      if (box) await (await box.catch(() => undefined))?.close()
    },
  }
}
