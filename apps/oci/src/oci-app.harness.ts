/** Builds the OCI app on real parts (fs store, upstream client) over a fake registry, for app.request() tests. */
import { createServices, loadConfig, type LarderServices } from '@larder/core'
import { makeTempDir } from '@larder/testkit'
import type { Hono } from 'hono'
import { createApp, ociMirror } from './app.js'
import { startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from './fake-registry.harness.js'

export const BASE = 'http://larder.test:8080'

export interface OciAppHarness {
  app: Hono<any>
  services: LarderServices
  registry: FakeRegistry
  request(path: string, init?: RequestInit): Promise<Response>
  /** Another app over the same store and registry, e.g. offline. */
  reopen(env: Record<string, string>): Promise<OciAppHarness>
  close(): Promise<void>
}

export async function startOciAppHarness(registryOptions: FakeRegistryOptions = {}, env: Record<string, string> = {}): Promise<OciAppHarness> {
  const registry = await startFakeRegistry(registryOptions)
  const dataDir = await makeTempDir('larder-oci-app-')
  const opened: LarderServices[] = []
  const open = async (extraEnv: Record<string, string>): Promise<OciAppHarness> => {
    const config = loadConfig(
      {
        // Quiet, and an upstream that fails fast: each fault resolves within a test.
        LARDER_LOG_LEVEL: 'silent',
        LARDER_UPSTREAM_TIMEOUT_SECONDS: '2',
        LARDER_UPSTREAM_RETRIES: '0',
        LARDER_DATA_DIR: dataDir.path,
        LARDER_OCI_UPSTREAMS: `fake=${registry.url},docker.io=${registry.url}`,
        LARDER_OCI_DEFAULT_UPSTREAM: 'fake',
        ...env,
        ...extraEnv,
      },
      { mirrors: [ociMirror] },
    )
    const services = createServices(config)
    opened.push(services)
    const app = createApp({ services })
    return {
      app,
      services,
      registry,
      request: (path, init) => Promise.resolve(app.request(`${BASE}${path}`, init)),
      reopen: (more) => open({ ...extraEnv, ...more }),
      close: async () => {
        for (const s of opened) await s.close()
        await registry.stop()
        await dataDir.cleanup()
      },
    }
  }
  return open({})
}

/** A small OCI manifest naming one config and one layer (the blobs are put on the registry too). */
export function putImage(registry: FakeRegistry, repo: string, tag: string, layer = Buffer.from(`layer of ${repo}:${tag}`)) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag }))
  const configDigest = registry.putBlob(config)
  const layerDigest = registry.putBlob(layer)
  const document = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
  }
  // Pretty-printed on purpose: Larder must serve these exact bytes, not a re-serialisation.
  const bytes = Buffer.from(JSON.stringify(document, null, 3))
  const digest = registry.putManifest(repo, tag, { bytes, mediaType: document.mediaType })
  return { digest, bytes, layer, layerDigest, configDigest }
}
