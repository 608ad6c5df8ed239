/** One mirror's app on real parts (fs store in a temp folder, the upstream client) for app.request() tests, reopenable over the same store. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hono } from 'hono'
import { loadConfig, type Env } from '../config/index.js'
import type { LarderEnv } from '../http/index.js'
import { createServices, type LarderServices } from '../services/index.js'
import type { MirrorDeclaration } from './declaration.js'
import { mountMirror } from './mount-mirror.js'

/** The host tests send requests to: not loopback, so Host checks and external URLs are exercised. */
export const TEST_BASE_URL = 'http://larder.test:8080'

/** Quiet, and an upstream that fails fast: each fault resolves within a test. */
const TEST_ENV: Env = { LARDER_LOG_LEVEL: 'silent', LARDER_UPSTREAM_TIMEOUT_SECONDS: '2', LARDER_UPSTREAM_RETRIES: '0' }

export interface MirrorTestApp<A> {
  app: A
  services: LarderServices
  dataDir: string
  request(path: string, init?: RequestInit): Promise<Response>
  /** Another app over the same store with more settings (e.g. LARDER_OFFLINE). */
  reopen(env: Env): Promise<MirrorTestApp<A>>
  /** A reopened app closes its own services; the first closes every app, runs onClose (fixtures) and removes the store. */
  close(): Promise<void>
}

export interface MirrorTestAppOptions<S, A> {
  mirror: MirrorDeclaration<S>
  /** The mirror's settings (its upstream, tokens); given the store folder. */
  env: (dataDir: string) => Env
  /** The app under test; the mounted mirror by default. */
  build?: (services: LarderServices) => A
  onClose?: () => Promise<void>
}

export async function openMirrorTestApp<S, A extends Pick<Hono<LarderEnv>, 'request'> = Hono<LarderEnv>>(
  options: MirrorTestAppOptions<S, A>,
): Promise<MirrorTestApp<A>> {
  const dataDir = await mkdtemp(join(tmpdir(), `larder-${options.mirror.name}-app-`))
  const opened: LarderServices[] = []
  const build = options.build ?? ((services: LarderServices) => mountMirror(options.mirror, services).app as unknown as A)
  const closeAll = async () => {
    for (const services of opened.splice(0)) await services.close()
    await options.onClose?.()
    await rm(dataDir, { recursive: true, force: true })
  }
  const open = async (extra: Env, first = false): Promise<MirrorTestApp<A>> => {
    const config = loadConfig({ ...TEST_ENV, LARDER_DATA_DIR: dataDir, ...options.env(dataDir), ...extra }, { mirrors: [options.mirror] })
    const services = createServices(config)
    opened.push(services)
    const app = build(services)
    return {
      app,
      services,
      dataDir,
      request: (path, init) => Promise.resolve(app.request(`${TEST_BASE_URL}${path}`, init)),
      reopen: (more) => open(more),
      close: first
        ? closeAll
        : async () => {
            opened.splice(opened.indexOf(services), 1)
            await services.close()
          },
    }
  }
  return open({}, true)
}
