/**
 * Delivers the event log to one webhook receiver: in order, one at a time, retried with exponential backoff,
 * resumed after a restart, and sent by one process at a time (the cursor's claim) however many replicas run.
 */
import type { Dispatcher } from 'undici'
import type { Logger } from '../log/index.js'
import { errorFields } from '../log/index.js'
import type { EventLog, ReceiverCursor } from './event-log.js'
import { signEventBody, type PublishEvent } from './publish-event.js'

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000
export const DEFAULT_FIRST_RETRY_MS = 1_000
export const DEFAULT_MAX_RETRY_MS = 300_000
/** How often the sender renews its claim while idle or backing off, and how often the others ask for it. */
export const DEFAULT_CLAIM_RENEW_MS = 5_000
const BATCH = 100

export interface WebhookReceiverOptions {
  url: string
  log: EventLog
  /** The receiver's progress and who sends to it. */
  cursor: ReceiverCursor
  dispatcher: Dispatcher
  logger: Logger
  secret?: string
  timeoutMs?: number
  firstRetryMs?: number
  maxRetryMs?: number
  claimRenewMs?: number
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
  private readonly authorization: string | undefined
  private delivered = 0
  /** Whether this process is the receiver's sender now. */
  private holding = false
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
  }

  /** Events the receiver has not taken yet (counted by its sender; 0 on the others). */
  get backlog(): number {
    return this.holding ? Math.max(0, this.options.log.lastSeq - this.delivered) : 0
  }

  start(): void {
    if (this.running) return
    this.unsubscribe = this.options.log.onAppend(() => this.wake?.())
    this.running = this.run().catch((err: unknown) => {
      this.options.logger.error({ webhook: this.label, ...errorFields(err) }, `webhook delivery to ${this.label} stopped: ${String(err)}`)
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.unsubscribe?.()
    this.wake?.()
    await this.running
    if (this.holding) await this.options.cursor.release().catch(() => {})
    this.holding = false
  }

  private async run(): Promise<void> {
    const { cursor, log, logger } = this.options
    const renewMs = this.options.claimRenewMs ?? DEFAULT_CLAIM_RENEW_MS
    while (!this.closed) {
      try {
        if (!(await cursor.claim())) {
          this.holding = false
          await this.pause(renewMs, false)
          continue
        }
        if (!this.holding) {
          // A receiver first seen starts at the newest event: it gets what happens from now on, not the past week.
          this.delivered = (await cursor.read()) ?? log.lastSeq
          if (!(await cursor.write(this.delivered))) continue
          this.holding = true
        }
        const known = log.lastSeq
        const batch = await log.read(this.delivered, BATCH)
        if (batch.length === 0) {
          await this.pause(renewMs, true, known)
          continue
        }
        for (const event of batch) {
          if (!(await this.deliverWithRetries(event))) break
          this.delivered = Number(event.id.slice(event.id.lastIndexOf('-') + 1))
          if (!(await cursor.write(this.delivered))) {
            this.holding = false
            break
          }
        }
      } catch (err) {
        this.holding = false
        logger.warn({ webhook: this.label, ...errorFields(err) }, `webhook delivery to ${this.label} paused: ${String(err)}`)
        await this.pause(renewMs, false)
      }
    }
  }

  /** False once closed, or once another process took the receiver over, before the event got through. */
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
      if (!(await this.waitHoldingClaim(delay))) return false
    }
    return false
  }

  /** Backs off for `ms`, renewing the claim as it goes and last right before the next try; false when it passed to another process meanwhile. */
  private async waitHoldingClaim(ms: number): Promise<boolean> {
    const renewMs = this.options.claimRenewMs ?? DEFAULT_CLAIM_RENEW_MS
    const until = Date.now() + ms
    while (!this.closed) {
      const left = until - Date.now()
      if (left <= 0) return true
      await this.pause(Math.min(left, renewMs), false)
      if (!(await this.options.cursor.claim())) {
        this.holding = false
        return false
      }
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

  /** Waits for the delay, close, or (with `untilAppend`) a new event, whichever comes first. */
  private pause(ms: number, untilAppend: boolean, knownSeq = this.options.log.lastSeq): Promise<void> {
    // An event appended while the last read was in flight must not wait for the next one (but a log whose
    // newest rows cannot be read must not be asked again at once, forever).
    if (this.closed || (untilAppend && this.options.log.lastSeq > knownSeq)) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      timer.unref()
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = untilAppend ? done : () => this.closed && done()
    })
  }
}
