/** A webhook receiver's cursor as a file in the data folder: one process delivers per data folder, so the claim is always its own. */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { EventLog, ReceiverCursor } from './event-log.js'

/** The receiver's key: a hash of its URL, credentials included, so two accounts on one receiver keep two cursors. */
export const receiverKey = (url: string) => createHash('sha256').update(url).digest('hex').slice(0, 16)

export function fileReceiverCursor(stateDir: string, url: string, log: EventLog): ReceiverCursor {
  const path = join(stateDir, `${receiverKey(url)}.json`)
  const label = new URL(url)
  label.username = ''
  label.password = ''
  return {
    claim: async () => true,
    async read() {
      const text = await readFile(path, 'utf8').catch(() => undefined)
      if (!text) return undefined
      try {
        const state = JSON.parse(text) as { outbox?: string; delivered?: number }
        // A cursor from another outbox (the data folder was replaced) means nothing here.
        return state.outbox === log.id && Number.isSafeInteger(state.delivered) ? state.delivered : undefined
      } catch {
        return undefined
      }
    },
    async write(delivered) {
      await mkdir(stateDir, { recursive: true })
      const state = { url: label.toString(), outbox: log.id, delivered }
      await writeFile(`${path}.tmp`, `${JSON.stringify(state)}\n`)
      await rename(`${path}.tmp`, path)
      return true
    },
    release: async () => {},
  }
}
