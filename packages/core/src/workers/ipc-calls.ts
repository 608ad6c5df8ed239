/** Calls over a cluster IPC channel: either side asks by method name and awaits the other side's answer. */
import { LarderError, type ErrorCode } from '../errors/index.js'

/** What both a worker's `process` and the primary's `cluster.Worker` offer. */
export interface IpcPort {
  /** With a callback, a channel that has closed reports to it instead of emitting 'error' (which would kill the process). */
  send(message: unknown, callback: (error: Error | null) => void): unknown
  on(event: 'message', listener: (message: unknown) => void): unknown
}

export type IpcHandlers = Record<string, (params: any) => unknown>

interface CallMessage {
  larderIpc: 'call'
  id: number
  method: string
  params: unknown
}

interface ReplyMessage {
  larderIpc: 'reply'
  id: number
  result?: unknown
  error?: { code: string; message: string }
}

export interface CallOptions {
  /** Fails the call after this long: for calls whose other side might never answer (a worker being started). */
  timeoutMs?: number
}

export interface IpcCalls {
  call<T>(method: string, params?: unknown, options?: CallOptions): Promise<T>
  /** Fails every call still waiting (the other side is gone). */
  abandon(reason: string): void
}

/** Answers the other side's calls with `handlers` and lets this side call it. */
export function ipcCalls(port: IpcPort, handlers: IpcHandlers): IpcCalls {
  let nextId = 1
  const waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>()
  port.on('message', (message) => {
    if (!isIpcMessage(message)) return
    if (message.larderIpc === 'reply') {
      const pending = waiting.get(message.id)
      if (!pending) return
      waiting.delete(message.id)
      if (message.error) pending.reject(new LarderError(message.error.code as ErrorCode, message.error.message))
      else pending.resolve(message.result)
      return
    }
    void answer(message)
  })

  const answer = async (message: CallMessage) => {
    const reply: ReplyMessage = { larderIpc: 'reply', id: message.id }
    try {
      const handler = handlers[message.method]
      if (!handler) throw new LarderError('E_INTERNAL', `no IPC handler for ${message.method}`)
      reply.result = await handler(message.params)
    } catch (err) {
      reply.error = { code: (err as LarderError).code ?? 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) }
    }
    // The other side may have gone meanwhile: it waits for nothing any more.
    send(reply, () => {})
  }

  const send = (message: CallMessage | ReplyMessage, onError: (error: Error) => void) => {
    try {
      port.send(message, (error) => {
        if (error) onError(error)
      })
    } catch (err) {
      onError(err as Error)
    }
  }

  return {
    call<T>(method: string, params?: unknown, options: CallOptions = {}): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                waiting.delete(id)
                reject(new LarderError('E_INTERNAL', `IPC ${method} had no answer within ${options.timeoutMs} ms`))
              }, options.timeoutMs)
        timer?.unref()
        const settle =
          <V>(then: (value: V) => void) =>
          (value: V) => {
            clearTimeout(timer)
            then(value)
          }
        waiting.set(id, { resolve: settle(resolve), reject: settle(reject) })
        send({ larderIpc: 'call', id, method, params }, (err) => {
          waiting.delete(id)
          clearTimeout(timer)
          reject(new LarderError('E_INTERNAL', `IPC ${method} could not be sent: ${err.message}`, { cause: err }))
        })
      })
    },
    abandon(reason) {
      for (const [id, pending] of waiting) {
        waiting.delete(id)
        pending.reject(new LarderError('E_INTERNAL', reason))
      }
    },
  }
}

function isIpcMessage(message: unknown): message is CallMessage | ReplyMessage {
  return typeof message === 'object' && message !== null && 'larderIpc' in message
}
