/** A worker's side of the primary: host-wide leases, news of entries other workers changed, and the shared event outbox. */
import type { EventPage, PublishEvents } from '../events/index.js'
import type { EventInput, PublishEvent } from '../events/publish-event.js'
import { MAX_EVENTS_PER_PAGE } from '../events/publish-events.js'
import type { MetricsRegistry } from '../metrics/index.js'
import type { ExternalChanges } from '../store/entry-cache.js'
import type { HostLeases } from './host-leases.js'
import { ipcCalls, type IpcCalls, type IpcPort } from './ipc-calls.js'

/** Leases the primary grants, one holder per key across the workers. */
export function workerLeases(calls: IpcCalls): HostLeases {
  return {
    async acquire(key) {
      const token = await calls.call<number>('lease.acquire', { key })
      let released = false
      return () => {
        if (released) return
        released = true
        // A lost release is one the primary makes itself when this worker exits.
        void calls.call('lease.release', { token }).catch(() => {})
      }
    },
  }
}

/** Entry changes: announced to the other workers through the primary, and theirs heard (the `forget` handler). */
export function workerEntryChanges(calls: IpcCalls): ExternalChanges & { forget(key: string): void } {
  const listeners: Array<(key?: string) => void> = []
  return {
    onChange: (listener) => void listeners.push(listener),
    announce: (key) => calls.call('entry.changed', { key }),
    forget: (key) => {
      for (const listener of listeners) listener(key)
    },
  }
}

/** One outbox per data folder, kept by the primary: events keep one order and one id sequence whatever worker recorded them. */
export function workerEvents(calls: IpcCalls): PublishEvents {
  return {
    record: (input: EventInput) => calls.call<PublishEvent | undefined>('events.record', input).catch(() => undefined),
    async list(since, limit, visible = () => true) {
      const want = Math.min(Math.max(1, limit), MAX_EVENTS_PER_PAGE)
      const events: PublishEvent[] = []
      let next = since ?? ''
      // The filter runs here, where the caller's token is: pages are read until enough are visible.
      for (;;) {
        const page = await calls.call<EventPage>('events.list', { since: next, limit: want })
        for (const event of page.events) {
          next = event.id
          if (visible(event)) events.push(event)
          if (events.length >= want) return { events, next }
        }
        if (page.events.length === 0 || page.events.length < want) return { events, next: page.next || next }
      }
    },
    // Delivery is the primary's: one sender per outbox.
    startDelivery: async () => {},
    close: async () => {},
  }
}

export interface PrimaryConnection {
  leases: HostLeases
  entryChanges: ExternalChanges
  events: PublishEvents
  /** Lets the primary read this worker's metrics, and makes /metrics answer for the whole host. */
  shareMetrics(metrics: MetricsRegistry): void
}

/** A worker's link to its primary; the worker exits if the primary goes, so no orphan keeps serving. */
export function connectToPrimary(): PrimaryConnection {
  let entryChanges: ReturnType<typeof workerEntryChanges> | undefined
  let shared: MetricsRegistry | undefined
  const calls = ipcCalls(process as unknown as IpcPort, {
    'entry.forget': ({ key }: { key: string }) => entryChanges?.forget(key),
    'metrics.json': () => shared?.localJson() ?? [],
  })
  entryChanges = workerEntryChanges(calls)
  process.once('disconnect', () => process.exit(1))
  // Only now can this worker hear the primary: until it says so, the primary sends it nothing to answer.
  void calls.call('worker.ready').catch(() => {})
  return {
    leases: workerLeases(calls),
    entryChanges,
    events: workerEvents(calls),
    shareMetrics(metrics) {
      shared = metrics
      // A scrape reaches one worker; it answers with every worker's counts.
      metrics.acrossHost = () => calls.call<string>('metrics.host')
    },
  }
}
