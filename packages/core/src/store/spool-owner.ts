/** Per-process spool folders: a live process owns tmp/<id>/ and says so in tmp/<id>.owner, so a start can sweep what dead ones left. */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { isNotFound } from './fs-files.js'

/** How often a live process touches its owner file. */
export const SPOOL_HEARTBEAT_MS = 10_000
/** An owner file not touched for this long belongs to a dead process (the only test for one on another host). */
export const SPOOL_STALE_MS = 60_000
const OWNER_SUFFIX = '.owner'

export interface OwnerRecord {
  host: string
  pid: number
  /** Tells a live process from a later one that got the same pid (a restarted container is pid 1 again). */
  startedAt: string
}

export interface SpoolClaim {
  /** This process's spool folder. */
  readonly dir: string
  /** Stops the heartbeat and removes the folder; only once nothing writes into it any more. */
  release(): void
}

export interface SpoolClaimOptions {
  /** Loose files (from before per-process folders) older than this are deleted. */
  looseMaxAgeMs: number
}

/** Claims a fresh folder under `tmpDir` and sweeps those of dead processes, now and every SPOOL_STALE_MS. */
export function claimSpoolFolder(tmpDir: string, options: SpoolClaimOptions): SpoolClaim {
  const self: OwnerRecord = { host: hostname(), pid: process.pid, startedAt: processStartedAt(process.pid) }
  const id = `${self.host}-${self.pid}-${randomBytes(4).toString('hex')}`.replace(/[^\w.-]/g, '_')
  const ownerPath = join(tmpDir, `${id}${OWNER_SUFFIX}`)
  const dir = join(tmpDir, id)
  mkdirSync(tmpDir, { recursive: true })
  // The owner file comes first: a folder without one is always a leftover.
  writeFileSync(ownerPath, JSON.stringify(self))
  mkdirSync(dir)
  sweepDeadSpools(tmpDir, self, id, options.looseMaxAgeMs)
  let beats = 0
  const heartbeat = setInterval(() => {
    try {
      const now = new Date()
      utimesSync(ownerPath, now, now)
      if (++beats % Math.round(SPOOL_STALE_MS / SPOOL_HEARTBEAT_MS) === 0) sweepDeadSpools(tmpDir, self, id, options.looseMaxAgeMs)
    } catch {
      // A full or read-only disk shows up in /readyz; the heartbeat simply tries again.
    }
  }, SPOOL_HEARTBEAT_MS)
  heartbeat.unref()
  let released = false
  return {
    dir,
    release() {
      if (released) return
      released = true
      clearInterval(heartbeat)
      rmSync(dir, { recursive: true, force: true })
      rmSync(ownerPath, { force: true })
    },
  }
}

/** Removes every spool folder whose owner is gone, whatever its age, and never one a live process writes into. */
export function sweepDeadSpools(tmpDir: string, self: OwnerRecord, ownId: string, looseMaxAgeMs: number): void {
  const names = readdirSync(tmpDir)
  const owners = new Set(names.filter((name) => name.endsWith(OWNER_SUFFIX)).map((name) => name.slice(0, -OWNER_SUFFIX.length)))
  for (const name of names) {
    if (name === ownId || name === `${ownId}${OWNER_SUFFIX}`) continue
    const path = join(tmpDir, name)
    try {
      if (name.endsWith(OWNER_SUFFIX)) {
        const id = name.slice(0, -OWNER_SUFFIX.length)
        if (isOwnerDead(path, self)) {
          rmSync(join(tmpDir, id), { recursive: true, force: true })
          rmSync(path, { force: true })
        }
        continue
      }
      const stats = statSync(path)
      if (stats.isDirectory() ? !owners.has(name) : stats.mtimeMs < Date.now() - looseMaxAgeMs) {
        rmSync(path, { recursive: true, force: true })
      }
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }
}

function isOwnerDead(ownerPath: string, self: OwnerRecord): boolean {
  const stats = statSync(ownerPath)
  if (stats.mtimeMs < Date.now() - SPOOL_STALE_MS) return true
  let owner: OwnerRecord
  try {
    owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as OwnerRecord
  } catch {
    // Being written right now (an empty file), or garbage that will go stale.
    return false
  }
  // On another host only the heartbeat can tell; here the process table can.
  if (owner.host !== self.host) return false
  if (owner.pid === self.pid) return owner.startedAt !== self.startedAt
  return !isAlive(owner.pid) || processStartedAt(owner.pid) !== owner.startedAt
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or '' where there is no /proc. */
function processStartedAt(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? ''
  } catch {
    return ''
  }
}
