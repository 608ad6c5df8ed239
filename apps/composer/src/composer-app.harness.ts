/** Builds the Composer app on real parts (fs store, upstream client, fixture metadata and dist hosts) for app.request() tests. */
import { settingsOf } from '@larder/core'
import { openMirrorTestApp, TEST_BASE_URL, type MirrorTestApp } from '@larder/core/testing'
import {
  buildComposerPackage,
  composerVersionEntry,
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
export const BASE = TEST_BASE_URL

export interface ComposerAppHarness extends MirrorTestApp<Hono<any>> {
  metadata: ComposerMetadataFixture
  dists: ComposerDistFixture
  /** Builds a package, serves its zip on the dist host and publishes its entry on the metadata host. */
  publish(name: string, version: string, entry?: Partial<VersionEntryOptions>, require?: Record<string, string>): ComposerPackage
  reopen(env: Record<string, string>): Promise<ComposerAppHarness>
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
  const distHost = new URL(dists.url).host
  const publish: ComposerAppHarness['publish'] = (name, version, entry = {}, require = {}) => {
    const pkg = buildComposerPackage({ name, version, require })
    metadata.publish(composerVersionEntry(pkg, { distUrl: dists.add(pkg), ...entry }))
    return pkg
  }
  const opened = await openMirrorTestApp({
    mirror: composerMirror,
    env: () => ({ LARDER_COMPOSER_UPSTREAM: metadata.url, LARDER_TOKENS: `tester=${TEST_TOKEN}:composer,npmonly=npm-only-token-1:npm`, ...options.env }),
    // The settings read from the harness env (LARDER_COMPOSER_PRIVATE_NAMES, ...), with the fixture's dist host where a test names it.
    build: (services) =>
      createApp({
        services,
        settings: {
          ...settingsOf(composerMirror, services.config),
          ...(options.distTokens ? { distTokens: options.distTokens(distHost) } : {}),
          ...(options.distHosts ? { distHosts: options.distHosts(distHost) } : {}),
        },
      }),
    onClose: async () => {
      await metadata.stop()
      await dists.stop()
    },
  })
  const withFixtures = (app: MirrorTestApp<Hono<any>>): ComposerAppHarness => ({
    ...app,
    metadata,
    dists,
    publish,
    reopen: async (more) => withFixtures(await app.reopen(more)),
  })
  return withFixtures(opened)
}

/** The mirror URL Composer builds from packages.json for a package version. */
export const mirrorPath = (pkg: ComposerPackage, type = 'zip') => `/composer/dists/${pkg.name}/${pkg.versionNormalized}/${pkg.reference}.${type}`

export const basicAuth = (token: string) => `Basic ${Buffer.from(`token:${token}`).toString('base64')}`

export async function bytesOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer())
}
