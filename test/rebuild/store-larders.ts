/** The Larders a rebuild test starts on a store it filled: offline, or with an upstream that is dead; and what one answered. */
import { createServer, type AddressInfo } from 'node:net'
import { expect } from 'vitest'
import type { EnvOverrides } from '@larder/testkit'
import { startLarder, type LarderServer, type RequestLog } from '../support/larder-process.js'
import { NO_UPSTREAM } from './larder-cli.js'

/** http://127.0.0.1:PORT with nothing listening: a port this process bound and closed again. */
async function deadUpstream(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  return `http://127.0.0.1:${port}`
}

/** How a rebuild test starts a Larder on a store it filled. */
export interface StoreLarderOptions {
  /** Larder A, stopped first (if it still runs) so this one takes its port: the URLs a lockfile names then reach it. */
  replacing?: LarderServer
  /** After the upstream's origin, where its variable wants a path (pypi's /simple). */
  upstreamPath?: string
}

const portOf = async (replacing?: LarderServer) => {
  await replacing?.stop()
  return replacing?.port
}

/** A Larder with LARDER_OFFLINE=1 on the store in `dataDir`; its upstream `upstreamVar` names NO_UPSTREAM as well, so nothing it serves can come from one. */
export async function startOfflineLarder(dataDir: string, upstreamVar: string, options: StoreLarderOptions = {}): Promise<LarderServer> {
  const env: EnvOverrides = { LARDER_OFFLINE: '1', [upstreamVar]: `${NO_UPSTREAM}${options.upstreamPath ?? ''}` }
  return startLarder({ dataDir, port: await portOf(options.replacing), env })
}

/**
 * A Larder (B) on the store in `dataDir` whose upstream `upstreamVar` is dead, not in offline mode. Its index
 * TTL is 0, so every index it serves is past it: it asks the dead upstream and answers with its stored copy (STALE).
 */
export async function startDeadUpstreamLarder(dataDir: string, upstreamVar: string, options: StoreLarderOptions = {}): Promise<LarderServer> {
  const env: EnvOverrides = { [upstreamVar]: `${await deadUpstream()}${options.upstreamPath ?? ''}`, LARDER_INDEX_TTL_SECONDS: '0' }
  return startLarder({ dataDir, port: await portOf(options.replacing), env })
}

/** GET `url`: its status, X-Larder-Cache and body. */
export async function get(url: string): Promise<{ status: number; cache: string | null; body: Buffer }> {
  const response = await fetch(url)
  return { status: response.status, cache: response.headers.get('x-larder-cache'), body: Buffer.from(await response.arrayBuffer()) }
}

/** Each of `requests` (from a Larder's log) answered 200 as `cache`; all of them in the message when one was not. */
export function expectAllAnswered(requests: readonly RequestLog[], cache: string): void {
  expect(
    requests.every((r) => r.status === 200 && r.cache === cache),
    JSON.stringify(requests),
  ).toBe(true)
}
