/** The durable outbox: every event appended to a log in the data folder (synced before the change is answered), read back in order. */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, readdir, rename, stat, truncate, unlink, writeFile, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { LarderError } from '../errors/index.js'
import type { EventLog } from './event-log.js'
import type { EventInput, PublishEvent } from './publish-event.js'

/** Events per log segment: old segments are dropped whole once they are past the retention. */
export const DEFAULT_SEGMENT_EVENTS = 1000
/** How long events stay readable (GET /-/events) and deliverable to a receiver that is down. */
export const DEFAULT_EVENT_RETENTION_DAYS = 7

export interface EventOutboxOptions {
  /** The folder of the outbox (<data>/events). */
  dir: string
  retentionMs?: number
  segmentEvents?: number
  now?: () => number
}

const SEGMENT = /^(\d{15})\.jsonl$/
const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(15, '0')}.jsonl`

export class EventOutbox implements EventLog {
  /** Stamped on every id, so ids from two Larders (or a wiped data folder) never collide. */
  readonly id: string
  private readonly logDir: string
  private readonly retentionMs: number
  private readonly segmentEvents: number
  private readonly now: () => number
  /** Segments by first sequence number, oldest first. */
  private segments: number[]
  /** The events of the newest segment, which most reads want, kept in memory. */
  private current: PublishEvent[]
  private seq: number
  private handle: FileHandle | undefined
  private tail: Promise<unknown> = Promise.resolve()
  private readonly listeners = new Set<() => void>()

  private constructor(options: Required<EventOutboxOptions>, id: string, segments: number[], current: PublishEvent[], seq: number) {
    this.id = id
    this.logDir = join(options.dir, 'log')
    this.retentionMs = options.retentionMs
    this.segmentEvents = options.segmentEvents
    this.now = options.now
    this.segments = segments
    this.current = current
    this.seq = seq
  }

  /** Opens (or creates) the outbox; a line torn by a crash mid-append is cut off. */
  static async open(options: EventOutboxOptions): Promise<EventOutbox> {
    const resolved: Required<EventOutboxOptions> = {
      retentionMs: DEFAULT_EVENT_RETENTION_DAYS * 86_400_000,
      segmentEvents: DEFAULT_SEGMENT_EVENTS,
      now: Date.now,
      ...options,
    }
    const logDir = join(resolved.dir, 'log')
    try {
      await mkdir(logDir, { recursive: true })
      const id = await outboxId(resolved.dir)
      const segments = (await readdir(logDir))
        .map((name) => SEGMENT.exec(name)?.[1])
        .filter((first): first is string => first !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
      const newest = segments.at(-1)
      const current = newest === undefined ? [] : await readSegment(join(logDir, segmentName(newest)), true)
      const seq = current.length ? seqOf(current.at(-1)!) : newest !== undefined ? newest - 1 : 0
      return new EventOutbox(resolved, id, segments, current, seq)
    } catch (cause) {
      throw new LarderError('E_STORE', `cannot open the event outbox in ${resolved.dir}`, { cause, hint: 'check that the data folder is writable' })
    }
  }

  /** The sequence number of the newest event (0 before the first). */
  get lastSeq(): number {
    return this.seq
  }

  /** Gives the event its id and time and makes it durable; appends run one at a time, in call order. */
  append(input: EventInput): Promise<PublishEvent> {
    const run = this.tail.then(() => this.write(input))
    this.tail = run.catch(() => {})
    return run
  }

  /** Up to `limit` events after sequence number `afterSeq`, oldest first. */
  async read(afterSeq: number, limit: number): Promise<PublishEvent[]> {
    const out: PublishEvent[] = []
    const first = this.current.length ? seqOf(this.current[0]!) : this.seq + 1
    if (afterSeq + 1 < first) {
      for (const [i, start] of this.segments.slice(0, -1).entries()) {
        const next = this.segments[i + 1]!
        if (next <= afterSeq + 1) continue
        for (const event of await readSegment(join(this.logDir, segmentName(start)), false)) {
          if (seqOf(event) > afterSeq) out.push(event)
          if (out.length >= limit) return out
        }
      }
    }
    for (const event of this.current) {
      if (out.length >= limit) break
      if (seqOf(event) > afterSeq) out.push(event)
    }
    return out
  }

  /** Calls `listener` after each append; returns the unsubscribe. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async close(): Promise<void> {
    await this.tail
    await this.handle?.close()
    this.handle = undefined
  }

  private async write(input: EventInput): Promise<PublishEvent> {
    const seq = this.seq + 1
    if (this.current.length >= this.segmentEvents || this.segments.length === 0) await this.startSegment(seq)
    const event: PublishEvent = { id: `${this.id}-${seq}`, ...input, files: input.files ?? [], at: new Date(this.now()).toISOString() }
    this.handle ??= await open(join(this.logDir, segmentName(this.segments.at(-1)!)), 'a')
    await this.handle.write(`${JSON.stringify(event)}\n`)
    await this.handle.datasync()
    this.seq = seq
    this.current.push(event)
    for (const listener of this.listeners) listener()
    return event
  }

  private async startSegment(firstSeq: number): Promise<void> {
    await this.handle?.close()
    this.handle = undefined
    this.segments.push(firstSeq)
    this.current = []
    await this.pruneOldSegments()
  }

  /** Drops segments whose last append is older than the retention; the newest always stays. */
  private async pruneOldSegments(): Promise<void> {
    const cutoff = this.now() - this.retentionMs
    for (const start of this.segments.slice(0, -1)) {
      const path = join(this.logDir, segmentName(start))
      const info = await stat(path).catch(() => undefined)
      if (info && info.mtimeMs >= cutoff) break
      await unlink(path).catch(() => {})
      this.segments = this.segments.filter((s) => s !== start)
    }
  }
}

const seqOf = (event: PublishEvent) => Number(event.id.slice(event.id.lastIndexOf('-') + 1))

async function outboxId(dir: string): Promise<string> {
  const path = join(dir, 'outbox-id')
  const existing = await readFile(path, 'utf8').catch(() => '')
  if (/^[0-9a-f]{8}$/.test(existing.trim())) return existing.trim()
  const id = randomBytes(4).toString('hex')
  await writeFile(`${path}.tmp`, `${id}\n`)
  await rename(`${path}.tmp`, path)
  return id
}

/** The events of one segment; with `repair`, a torn last line (a crash mid-append) is cut from the file. */
async function readSegment(path: string, repair: boolean): Promise<PublishEvent[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  const end = text.lastIndexOf('\n') + 1
  if (repair && end < Buffer.byteLength(text)) await truncate(path, Buffer.byteLength(text.slice(0, end)))
  const events: PublishEvent[] = []
  for (const line of text.slice(0, end).split('\n')) {
    if (!line) continue
    try {
      events.push(JSON.parse(line) as PublishEvent)
    } catch {
      // A line that is not JSON is skipped, never fatal: the rest of the log is still delivered.
    }
  }
  return events
}
