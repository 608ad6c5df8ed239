/** Calls over a cluster IPC channel: either side asks by method name and awaits the other side's answer. */
import { LarderError, type ErrorCode } from '../errors/index.js'

/** What both a worker's `process` and the primary's `cluster.Worker` offer. */
export interface IpcPort {
  send(message: unknown): unknown
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

export interface IpcCalls {
  call<T>(method: string, params?: unknown): Promise<T>
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
    try {
      port.send(reply)
    } catch {
      // The other side has gone: it waits for nothing any more.
    }
  }

  return {
    call<T>(method: string, params?: unknown): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        try {
          port.send({ larderIpc: 'call', id, method, params } satisfies CallMessage)
        } catch (err) {
          waiting.delete(id)
          reject(new LarderError('E_INTERNAL', `IPC ${method} could not be sent: ${(err as Error).message}`, { cause: err }))
        }
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
