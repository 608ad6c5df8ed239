/** Builds the Composer app on real parts (fs store, upstream client, fixture metadata and dist hosts) for app.request() tests. */
import { createServices, loadConfig, settingsOf, type LarderServices } from '@larder/core'
import {
  buildComposerPackage,
  composerVersionEntry,
  makeTempDir,
  startComposerDistFixture,
  startComposerMetadataFixture,
  type ComposerDistFixture,
  type ComposerMetadataFixture,
  type ComposerPackage,
  type VersionEntryOptions,
} from '@larder/testkit'
import type { Hono } from 'hono'
import { composerMirror, createApp } from './app.js'
import type { DistHosts } from './dists/dist-hosts.js'
import type { DistTokens } from './dists/dist-tokens.js'

export const TEST_TOKEN = 'composer-test-token-123'
export const BASE = 'http://larder.test:8080'

export interface ComposerAppHarness {
  app: Hono<any>
  services: LarderServices
  metadata: ComposerMetadataFixture
  dists: ComposerDistFixture
  request(path: string, init?: RequestInit): Promise<Response>
  /** Builds a package, serves its zip on the dist host and publishes its entry on the metadata host. */
  publish(name: string, version: string, entry?: Partial<VersionEntryOptions>, require?: Record<string, string>): ComposerPackage
  /** A second app over the same store, e.g. offline. */
  reopen(env: Record<string, string>): Promise<ComposerAppHarness>
  close(): Promise<void>
}

export interface HarnessOptions {
  env?: Record<string, string>
  listPackages?: boolean
  distTokens?: (distHost: string) => DistTokens
  /** Allowed dist hosts, given the fixture dist host; any host when omitted. */
  distHosts?: (distHost: string) => DistHosts
}

export async function startComposerAppHarness(options: HarnessOptions = {}): Promise<ComposerAppHarness> {
  const metadata = await startComposerMetadataFixture({ listPackages: options.listPackages })
  const dists = await startComposerDistFixture()
  const dataDir = await makeTempDir('larder-composer-app-')
  const opened: LarderServices[] = []
  const publish: ComposerAppHarness['publish'] = (name, version, entry = {}, require = {}) => {
    const pkg = buildComposerPackage({ name, version, require })
    metadata.publish(composerVersionEntry(pkg, { distUrl: dists.add(pkg), ...entry }))
    return pkg
  }
  const open = async (extraEnv: Record<string, string>): Promise<ComposerAppHarness> => {
    const config = loadConfig({
      // Quiet, and an upstream that fails fast: each fault resolves within a test.
      LARDER_LOG_LEVEL: 'silent',
      LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
      LARDER_UPSTREAM_RETRIES: '0',
      LARDER_DATA_DIR: dataDir.path,
      LARDER_COMPOSER_UPSTREAM: metadata.url,
      LARDER_TOKENS: `tester=${TEST_TOKEN}:composer,npmonly=npm-only-token-1:npm`,
      ...options.env,
      ...extraEnv,
    }, { mirrors: [composerMirror] })
    const services = createServices(config)
    opened.push(services)
    const distHost = new URL(dists.url).host
    // The settings read from the harness env (LARDER_COMPOSER_PRIVATE_NAMES, ...), with the fixture's dist host where a test names it.
    const settings = {
      ...settingsOf(composerMirror, config),
      ...(options.distTokens ? { distTokens: options.distTokens(distHost) } : {}),
      ...(options.distHosts ? { distHosts: options.distHosts(distHost) } : {}),
    }
    const app = createApp({ services, settings })
    return {
      app,
      services,
      metadata,
      dists,
      publish,
      request: (path, init) => Promise.resolve(app.request(`${BASE}${path}`, init)),
      reopen: (more) => open(more),
      close: async () => {
        for (const s of opened) await s.close()
        await metadata.stop()
        await dists.stop()
        await dataDir.cleanup()
      },
    }
  }
  return open({})
}

/** The mirror URL Composer builds from packages.json for a package version. */
export const mirrorPath = (pkg: ComposerPackage, type = 'zip') => `/composer/dists/${pkg.name}/${pkg.versionNormalized}/${pkg.reference}.${type}`

export const basicAuth = (token: string) => `Basic ${Buffer.from(`token:${token}`).toString('base64')}`

export async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer())
}
