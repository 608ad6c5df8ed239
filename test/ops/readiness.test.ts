/** /readyz probes the store's disk on every call: full and read-only filesystems make it 503 with the reason; /healthz stays 200. */
import { execFileSync } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, type TempDir } from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

const TMPFS_MB = 32
const MIN_FREE_MB = 8

let mount: TempDir
let larder: LarderServer

beforeAll(async () => {
  mount = await makeTempDir('larder-e2e-readyz-')
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_MB}m`, 'tmpfs', mount.path])
  larder = await startLarder({ dataDir: join(mount.path, 'data'), env: { LARDER_MIN_FREE_MB: String(MIN_FREE_MB) } })
})
afterAll(async () => {
  await larder?.stop()
  if (mount) {
    execFileSync('umount', [mount.path])
    await mount.cleanup()
  }
})

async function readyz(): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const res = await fetch(`${larder.url}/readyz`)
  return { status: res.status, body: (await res.json()) as { status: string; reason?: string } }
}

async function healthz(): Promise<number> {
  return (await fetch(`${larder.url}/healthz`)).status
}

describe('/readyz', () => {
  it('is ready on a healthy disk, not ready once free space falls below LARDER_MIN_FREE_MB, and ready again after', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } })
    const filler = join(mount.path, 'filler')
    await writeFile(filler, Buffer.alloc((TMPFS_MB - MIN_FREE_MB / 2) * 1024 * 1024))
    const full = await readyz()
    expect(full.status).toBe(503)
    expect(full.body.status).toBe('not ready')
    expect(full.body.reason).toMatch(/MB free where the store lives .* below 8\.0 MB/)
    expect(await healthz()).toBe(200)
    await rm(filler)
    expect((await readyz()).status).toBe(200)
  })

  it('is not ready on a 100% full disk even with no free-space threshold left to trip', async () => {
    const filler = join(mount.path, 'filler-all')
    await writeFile(filler, Buffer.alloc(TMPFS_MB * 1024 * 1024)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOSPC') throw err
    })
    try {
      const full = await readyz()
      expect(full.status).toBe(503)
      expect(full.body.reason).toMatch(/MB free|cannot be written/)
      expect(await healthz()).toBe(200)
    } finally {
      await rm(filler)
    }
    expect((await readyz()).status).toBe(200)
  })

  it('is not ready on a read-only filesystem, saying it cannot write', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mount.path])
    try {
      const readOnly = await readyz()
      expect(readOnly.status).toBe(503)
      expect(readOnly.body.reason).toMatch(/cannot be written: .*EROFS/)
      expect(await healthz()).toBe(200)
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mount.path])
    }
    expect((await readyz()).status).toBe(200)
  })
})
