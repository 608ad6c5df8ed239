/** The newest publish events: the outbox lists oldest first after a cursor, so page to the end and keep the last few. */
import type { PublishEvent } from '../events/publish-event.js'
import { MAX_EVENTS_PER_PAGE, type PublishEvents } from '../events/publish-events.js'

export const RECENT_EVENTS = 20

/** Newest first. */
export async function recentEvents(events: PublishEvents, count = RECENT_EVENTS): Promise<PublishEvent[]> {
  let kept: PublishEvent[] = []
  let since: string | undefined
  for (;;) {
    const page = await events.list(since, MAX_EVENTS_PER_PAGE)
    kept = [...kept, ...page.events].slice(-count)
    if (page.events.length < MAX_EVENTS_PER_PAGE || page.next === since) break
    since = page.next
  }
  return kept.reverse()
}
