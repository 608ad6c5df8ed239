import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claimSpoolFolder, SPOOL_STALE_MS } from './spool-owner.js'

/** The built module, so a real second process can claim a folder the way a Larder process does. */
const BUILT_SPOOL_OWNER = fileURLToPath(new URL('../../dist/store/spool-owner.js', import.meta.url))
const OPTIONS = { looseMaxAgeMs: 60 * 60_000 }

/** A child process that claims a spool folder under `tmp`, writes a partial download into it, and reports. */
function startClaimingProcess(tmp: string): Promise<{ pid: number; dir: string; kill: () => Promise<void> }> {
  const script = `
    const { claimSpoolFolder } = await import(${JSON.stringify(BUILT_SPOOL_OWNER)})
    const { writeFileSync } = await import('node:fs')
    const claim = claimSpoolFolder(${JSON.stringify(tmp)}, { looseMaxAgeMs: 3600000 })
    writeFileSync(claim.dir + '/fill-partial', 'half a download')
    process.stdout.write(JSON.stringify({ dir: claim.dir }) + '\\n')
    setInterval(() => {}, 1000)
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.stdout.once('data', (line: Buffer) => {
      const { dir } = JSON.parse(line.toString()) as { dir: string }
      resolve({
        pid: child.pid!,
        dir,
        kill: () => {
          child.kill('SIGKILL')
          return exited
        },
      })
    })
  })
}

describe('per-process spool folders', () => {
  let tmp: string
  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'larder-spool-owner-'))
  })
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('sweeps the folder of a process killed with SIGKILL at the next claim, however young it is', async () => {
    const crashed = await startClaimingProcess(tmp)
    expect(existsSync(join(crashed.dir, 'fill-partial'))).toBe(true)
    await crashed.kill()
    const claim = claimSpoolFolder(tmp, OPTIONS)
    expect(existsSync(crashed.dir)).toBe(false)
    expect((await readdir(tmp)).sort()).toEqual([`${claim.dir.split('/').pop()}`, `${claim.dir.split('/').pop()}.owner`].sort())
    claim.release()
    expect(await readdir(tmp)).toEqual([])
  })

  it('never touches the folder of a process that is still running', async () => {
    const running = await startClaimingProcess(tmp)
    try {
      const claim = claimSpoolFolder(tmp, OPTIONS)
      expect(existsSync(join(running.dir, 'fill-partial'))).toBe(true)
      claim.release()
    } finally {
      await running.kill()
    }
  })

  it('sweeps a folder whose owner has our pid but another start time (a restarted container is pid 1 again)', async () => {
    const id = 'previous-incarnation'
    await writeFile(join(tmp, `${id}.owner`), JSON.stringify({ host: hostname(), pid: process.pid, startedAt: 'long ago' }))
    await mkdir(join(tmp, id))
    const claim = claimSpoolFolder(tmp, OPTIONS)
    expect(existsSync(join(tmp, id))).toBe(false)
    expect(existsSync(join(tmp, `${id}.owner`))).toBe(false)
    claim.release()
  })

  it('trusts the heartbeat for owners on another host: fresh ones are kept, stale ones swept', async () => {
    for (const id of ['other-host-alive', 'other-host-dead']) {
      await writeFile(join(tmp, `${id}.owner`), JSON.stringify({ host: 'another-host', pid: 1, startedAt: '1' }))
      await mkdir(join(tmp, id))
    }
    const longAgo = new Date(Date.now() - SPOOL_STALE_MS - 5000)
    await utimes(join(tmp, 'other-host-dead.owner'), longAgo, longAgo)
    const claim = claimSpoolFolder(tmp, OPTIONS)
    expect(existsSync(join(tmp, 'other-host-alive'))).toBe(true)
    expect(existsSync(join(tmp, 'other-host-dead'))).toBe(false)
    claim.release()
  })
})
