import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { LeaseBook, withHostLease } from './host-leases.js'
import { ipcCalls, type IpcPort } from './ipc-calls.js'
import { workerLeases } from './worker-seams.js'

/** Two ends of a channel that delivers like process.send: asynchronously, as structured copies. */
function channel(): [IpcPort, IpcPort] {
  const a = new EventEmitter()
  const b = new EventEmitter()
  const end = (self: EventEmitter, other: EventEmitter): IpcPort => ({
    send: (message, callback) =>
      void setImmediate(() => {
        other.emit('message', structuredClone(message))
        callback(null)
      }),
    on: (event, listener) => self.on(event, listener),
  })
  return [end(a, b), end(b, a)]
}

describe('LeaseBook', () => {
  it('grants a key to one owner at a time, in the order they asked', async () => {
    const book = new LeaseBook()
    const order: number[] = []
    const first = await book.acquire(1, 'k')
    const granted = (owner: number) => (token: number) => {
      order.push(owner)
      return token
    }
    const second = book.acquire(2, 'k').then(granted(2))
    const third = book.acquire(3, 'k').then(granted(3))
    expect(await Promise.race([second.then(() => 'granted'), new Promise((r) => setImmediate(() => r('waiting')))])).toBe('waiting')
    book.release(first)
    book.release(await second)
    book.release(await third)
    expect(order).toEqual([2, 3])
    expect(book.size).toBe(0)
  })

  it('passes what a departed owner held to the next, and forgets what it waited for', async () => {
    const book = new LeaseBook()
    await book.acquire(1, 'a')
    await book.acquire(2, 'b')
    const waitingForA = book.acquire(2, 'a')
    void book.acquire(1, 'b')
    book.releaseOwner(1)
    const token = await waitingForA
    book.releaseOwner(2)
    expect(book.size).toBe(0)
    expect(typeof token).toBe('number')
  })
})

describe('leases over IPC', () => {
  it('makes two workers run tasks on one key one after the other, and any key alone otherwise', async () => {
    const book = new LeaseBook()
    const workers = [1, 2].map((owner) => {
      const [primarySide, workerSide] = channel()
      ipcCalls(primarySide, {
        'lease.acquire': ({ key }: { key: string }) => book.acquire(owner, key),
        'lease.release': ({ token }: { token: number }) => book.release(token),
      })
      return workerLeases(ipcCalls(workerSide, {}))
    })
    let running = 0
    let most = 0
    const task = async () => {
      running++
      most = Math.max(most, running)
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
    }
    await Promise.all(workers.flatMap((leases) => [withHostLease(leases, 'same', task), withHostLease(leases, 'same', task)]))
    expect(most).toBe(1)
    await Promise.all(workers.map((leases, i) => withHostLease(leases, `own-${i}`, task)))
    expect(most).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(book.size).toBe(0)
  })

  it('fails a call the other side cannot answer, naming the method', async () => {
    const [a, b] = channel()
    ipcCalls(a, {})
    await expect(ipcCalls(b, {}).call('nobody.home')).rejects.toThrow(/no IPC handler for nobody.home/)
  })
})
