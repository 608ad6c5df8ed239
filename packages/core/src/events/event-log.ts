/** What an ordered, durable event log offers delivery and the polling list: the data folder's outbox or the database's. */
import type { EventInput, PublishEvent } from './publish-event.js'

export interface EventLog {
  /** Stamped on every id, so ids from two Larders (or a wiped store) never collide. */
  readonly id: string
  /** The sequence number of the newest event known here (0 before the first). */
  readonly lastSeq: number
  /** Gives the event its id and time and makes it durable before resolving. */
  append(input: EventInput): Promise<PublishEvent>
  /** Up to `limit` events after sequence number `afterSeq`, oldest first. */
  read(afterSeq: number, limit: number): Promise<PublishEvent[]>
  /** Calls `listener` after each append (on any replica, for a shared log); returns the unsubscribe. */
  onAppend(listener: () => void): () => void
  close(): Promise<void>
}

/**
 * Where one webhook receiver's progress is kept. `claim` makes this process the receiver's one sender (or
 * says another holds it); `write` moves the cursor and answers false once the claim has passed to another
 * process, so a sender that lost it stops instead of delivering beside the new one.
 */
export interface ReceiverCursor {
  claim(): Promise<boolean>
  /** The last sequence the receiver took, undefined for a receiver never seen with this log. */
  read(): Promise<number | undefined>
  write(delivered: number): Promise<boolean>
  /** Gives the claim up (on close), so another process takes over at once. */
  release(): Promise<void>
}

export type ReceiverCursorFactory = (url: string, log: EventLog) => ReceiverCursor
