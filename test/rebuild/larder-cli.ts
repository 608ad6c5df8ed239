/** Runs the built `larder` command as a process, the way a user or a CI job does, with only the settings a test gives it. */
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { run, type EnvOverrides, type RunResult } from '@larder/testkit'
import { REPO_ROOT } from '../support/larder-process.js'

export const CLI_ENTRY = join(REPO_ROOT, 'apps/server/dist/larder-cli.js')
const CLI_TIMEOUT_MS = 180_000

/** Where nothing listens (the discard port): the upstream of a run or a Larder that must answer from its store alone. */
export const NO_UPSTREAM = 'http://127.0.0.1:9'

/**
 * `dataDir` is the store (LARDER_DATA_DIR). Upstream and tuning settings come from `env`; nothing is
 * inherited from a Larder the test also runs, and upstream failures fail fast.
 */
export function larderCli(args: readonly string[], dataDir: string, env: EnvOverrides = {}, cwd = REPO_ROOT): Promise<RunResult> {
  return run(process.execPath, [CLI_ENTRY, ...args], {
    cwd,
    env: { LARDER_DATA_DIR: dataDir, LARDER_UPSTREAM_RETRIES: '0', LARDER_LOG_LEVEL: undefined, LARDER_OFFLINE: undefined, LARDER_TOKEN: undefined, ...env },
    timeoutMs: CLI_TIMEOUT_MS,
  })
}

export function describeCli(result: RunResult): string {
  return `larder exited ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
}

/** The JSON report of a `--json` run. */
export interface CliReport {
  ok: boolean
  totals: { packages: number; held: number; failed: number; files: number; documents: number }
  lockfiles: {
    path: string
    packages: { name: string; version: string; ok: boolean; errors: string[]; files: { path: string; cache?: string; verified: string[] }[] }[]
  }[]
}

export function parseReport(result: RunResult): CliReport {
  try {
    return JSON.parse(result.stdout) as CliReport
  } catch {
    throw new Error(`not a JSON report:\n${describeCli(result)}`)
  }
}

/** Where the store in `dataDir` keeps the blob `sha256`. */
export const blobPath = (dataDir: string, sha256: string) => join(dataDir, 'store/blobs/sha256', sha256.slice(0, 2), sha256)

/**
 * Deletes the blob `sha256` from the store in `dataDir` (it must be there: rm without force), then runs
 * `larder verify <lockfile>` on that store: exit 1, and what it printed, to name the package it lost.
 */
export async function verifyWithoutBlob(dataDir: string, sha256: string, lockfile: string): Promise<string> {
  await rm(blobPath(dataDir, sha256))
  const verify = await larderCli(['verify', lockfile], dataDir)
  expect(verify.code, describeCli(verify)).toBe(1)
  return verify.stdout
}
