import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLarderError } from '../errors/larder-error.js'
import { createFsStore } from './fs-store.js'
import type { CacheStore } from './types.js'

/** The probe is checked on a real small filesystem (tmpfs, mounted as root), filled up and made read-only. */
const TMPFS_BYTES = 4 * 1024 * 1024

async function probeFailure(store: CacheStore): Promise<string> {
  const err = await store.probe().then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isLarderError(err, 'E_STORE')) throw new Error(`expected probe() to reject with E_STORE, got ${String(err)}`)
  return err.message
}

describe('fs store probe', () => {
  let mountPoint: string
  let store: CacheStore | undefined
  beforeEach(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'larder-probe-'))
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_BYTES}`, 'tmpfs', mountPoint])
  })
  afterEach(async () => {
    await store?.close().catch(() => {})
    store = undefined
    execFileSync('umount', [mountPoint])
    await rm(mountPoint, { recursive: true, force: true })
  })

  it('fails when less than minFreeBytes is free, naming the free space', async () => {
    store = createFsStore({ dir: join(mountPoint, 'store'), minFreeBytes: TMPFS_BYTES * 2 })
    expect(await probeFailure(store)).toMatch(/MB free where the store lives .* below 8\.0 MB/)
  })

  it('fails on a full disk and recovers once space is freed, probing each time', async () => {
    store = createFsStore({ dir: join(mountPoint, 'store'), minFreeBytes: 0 })
    await store.probe()
    const filler = join(mountPoint, 'filler')
    await writeFile(filler, Buffer.alloc(TMPFS_BYTES)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOSPC') throw err
    })
    expect(await probeFailure(store)).toMatch(/cannot be written: .*ENOSPC/)
    await rm(filler)
    await store.probe()
  })

  it('fails on a read-only filesystem', async () => {
    store = createFsStore({ dir: join(mountPoint, 'store'), minFreeBytes: 0 })
    await store.probe()
    execFileSync('mount', ['-o', 'remount,ro', mountPoint])
    try {
      expect(await probeFailure(store)).toMatch(/cannot be written: .*EROFS/)
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mountPoint])
    }
  })
})
