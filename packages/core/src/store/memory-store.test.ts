import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runStoreComplianceSuite } from './compliance.suite.js'
import { createMemoryStore } from './memory-store.js'

runStoreComplianceSuite('memory store', async () => ({
  store: createMemoryStore(),
  cleanup: async () => {},
}))

describe('createMemoryStore', () => {
  it('removes the spool folder it created when closed', async () => {
    const store = createMemoryStore()
    expect(existsSync(store.spoolDir)).toBe(true)
    await store.close()
    expect(existsSync(store.spoolDir)).toBe(false)
  })

  it('uses and keeps a spool folder it was given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'larder-memory-store-'))
    try {
      const store = createMemoryStore({ spoolDir: join(dir, 'spool') })
      expect(store.spoolDir).toBe(join(dir, 'spool'))
      expect(existsSync(store.spoolDir)).toBe(true)
      await store.close()
      expect(existsSync(store.spoolDir)).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('returns copies, so a caller mutating an entry cannot change the stored one', async () => {
    const store = createMemoryStore()
    const entry = { key: 'npm:x', status: 'ok' as const, fetchedAt: 1, meta: { tags: ['a'] } }
    await store.putEntry(entry)
    entry.meta.tags.push('put-then-mutated')
    const got = await store.getEntry('npm:x')
    ;(got!.meta!.tags as string[]).push('got-then-mutated')
    expect(await store.getEntry('npm:x')).toEqual({ key: 'npm:x', status: 'ok', fetchedAt: 1, meta: { tags: ['a'] } })
    await store.close()
  })

  it('validates its options', () => {
    expect(() => createMemoryStore({ spoolDir: '' })).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION' }))
  })
})
