/** Delivers the outbox to one webhook receiver: in order, one at a time, retried with exponential backoff, resumed after a restart. */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Dispatcher } from 'undici'
import type { Logger } from '../log/index.js'
import { errorFields } from '../log/index.js'
import type { EventOutbox } from './event-outbox.js'
import { signEventBody, type PublishEvent } from './publish-event.js'

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000
export const DEFAULT_FIRST_RETRY_MS = 1_000
export const DEFAULT_MAX_RETRY_MS = 300_000
const BATCH = 100

export interface WebhookReceiverOptions {
  url: string
  outbox: EventOutbox
  /** Where the receiver's cursor (the last sequence it took) is kept. */
  stateDir: string
  dispatcher: Dispatcher
  logger: Logger
  secret?: string
  timeoutMs?: number
  firstRetryMs?: number
  maxRetryMs?: number
  /** Counts each attempt's outcome. */
  onAttempt?: (result: 'delivered' | 'failed' | 'refused') => void
}

/** What a receiver answered; 4xx other than these is a refusal of that one event, not an outage. */
const RETRIED_CLIENT_STATUS = new Set([408, 409, 423, 425, 429])

export class WebhookReceiver {
  readonly url: string
  /** The URL without credentials, for logs. */
  readonly label: string
  private readonly options: WebhookReceiverOptions
  private readonly cursorPath: string
  private readonly authorization: string | undefined
  private delivered = 0
  private closed = false
  private wake: (() => void) | undefined
  private running: Promise<void> | undefined
  private unsubscribe: (() => void) | undefined

  constructor(options: WebhookReceiverOptions) {
    this.options = options
    const url = new URL(options.url)
    this.authorization = url.username
      ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
      : undefined
    url.username = ''
    url.password = ''
    this.url = url.toString()
    this.label = this.url
    this.cursorPath = join(options.stateDir, `${createHash('sha256').update(options.url).digest('hex').slice(0, 16)}.json`)
  }

  /** Events the receiver has not taken yet. */
  get backlog(): number {
    return Math.max(0, this.options.outbox.lastSeq - this.delivered)
  }

  start(): void {
    if (this.running) return
    this.unsubscribe = this.options.outbox.onAppend(() => this.wake?.())
    this.running = this.run().catch((err: unknown) => {
      this.options.logger.error({ webhook: this.label, ...errorFields(err) }, `webhook delivery to ${this.label} stopped: ${String(err)}`)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.unsubscribe?.()
    this.wake?.()
    await this.running
  }

  private async run(): Promise<void> {
    // A receiver first seen starts at the newest event: it gets what happens from now on, not the past week.
    this.delivered = (await this.readCursor()) ?? this.options.outbox.lastSeq
    await this.writeCursor()
    while (!this.closed) {
      const batch = await this.options.outbox.read(this.delivered, BATCH)
      if (batch.length === 0) {
        await this.pause(undefined)
        continue
      }
      for (const event of batch) {
        if (!(await this.deliverWithRetries(event))) return
        this.delivered = Number(event.id.slice(event.id.lastIndexOf('-') + 1))
        await this.writeCursor()
      }
    }
  }

  /** False once closed before the event got through. */
  private async deliverWithRetries(event: PublishEvent): Promise<boolean> {
    const { logger, firstRetryMs = DEFAULT_FIRST_RETRY_MS, maxRetryMs = DEFAULT_MAX_RETRY_MS } = this.options
    for (let attempt = 0; !this.closed; attempt++) {
      const outcome = await this.post(event)
      this.options.onAttempt?.(outcome.result)
      if (outcome.result === 'delivered') return true
      if (outcome.result === 'refused') {
        logger.error(
          { webhook: this.label, event: event.id, status: outcome.status },
          `webhook ${this.label} refused event ${event.id} with ${outcome.status}; it is skipped (fix the receiver and read it from GET /-/events)`,
        )
        return true
      }
      const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.min(attempt, 30))
      logger.warn(
        { webhook: this.label, event: event.id, attempt: attempt + 1, retryInMs: delay, reason: outcome.reason },
        `webhook ${this.label} did not take event ${event.id} (${outcome.reason}); retrying in ${Math.round(delay / 1000)} s`,
      )
      await this.pause(delay)
    }
    return false
  }

  private async post(event: PublishEvent): Promise<{ result: 'delivered' | 'failed' | 'refused'; status?: number; reason?: string }> {
    const body = JSON.stringify(event)
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'larder-webhook',
      'x-larder-event': event.type,
      'x-larder-delivery': event.id,
    }
    if (this.options.secret) headers['x-larder-signature'] = signEventBody(body, this.options.secret)
    if (this.authorization) headers.authorization = this.authorization
    const timeout = this.options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS
    try {
      const target = new URL(this.url)
      const response = await this.options.dispatcher.request({
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers,
        body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      })
      await response.body.dump()
      const status = response.statusCode
      if (status >= 200 && status < 300) return { result: 'delivered', status }
      if (status >= 400 && status < 500 && !RETRIED_CLIENT_STATUS.has(status)) return { result: 'refused', status }
      return { result: 'failed', status, reason: `HTTP ${status}` }
    } catch (err) {
      return { result: 'failed', reason: (err as Error).message || String(err) }
    }
  }

  /** Waits for the delay, a new event (when no delay is given) or close, whichever comes first. */
  private pause(ms: number | undefined): Promise<void> {
    // An event appended while the last read was in flight must not wait for the next one.
    if (this.closed || (ms === undefined && this.options.outbox.lastSeq > this.delivered)) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms)
      timer?.unref()
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = ms === undefined ? done : () => this.closed && done()
    })
  }

  private async readCursor(): Promise<number | undefined> {
    const text = await readFile(this.cursorPath, 'utf8').catch(() => undefined)
    if (!text) return undefined
    try {
      const state = JSON.parse(text) as { outbox?: string; delivered?: number }
      // A cursor from another outbox (the data folder was replaced) means nothing here.
      return state.outbox === this.options.outbox.id && Number.isSafeInteger(state.delivered) ? state.delivered : undefined
    } catch {
      return undefined
    }
  }

  private async writeCursor(): Promise<void> {
    await mkdir(this.options.stateDir, { recursive: true })
    const state = { url: this.label, outbox: this.options.outbox.id, delivered: this.delivered }
    await writeFile(`${this.cursorPath}.tmp`, `${JSON.stringify(state)}\n`)
    await rename(`${this.cursorPath}.tmp`, this.cursorPath)
  }
}
