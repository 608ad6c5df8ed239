/** The OCI app alone (`node apps/oci/dist/main.js`, /v2/ as in the all-in-one server) and skopeo pulls through it, for end-to-end tests. */
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { expect } from 'vitest'
import {
  buildOciLayout,
  describeSkopeo,
  layoutDigest,
  pushLayout,
  skopeo,
  type EnvOverrides,
  type OciImageSpec,
  type OciLayout,
  type RegistryFixture,
} from '@larder/testkit'
import { startLarder, type LarderServer } from '../support/larder-process.js'

export const OCI_ENTRY = 'apps/oci/dist/main.js'
/** The name the fixture registry has in LARDER_OCI_UPSTREAMS: images are <larder>/fixture/<repo>. */
export const UPSTREAM = 'fixture'

export interface OciLarder extends LarderServer {
  /** 127.0.0.1:PORT, as image references name it. */
  readonly host: string
}

export async function startOciLarder(registry: RegistryFixture, options: { dataDir?: string; port?: number; env?: EnvOverrides } = {}): Promise<OciLarder> {
  const server = await startLarder({
    entry: OCI_ENTRY,
    dataDir: options.dataDir,
    port: options.port,
    // No retries: a stopped registry is answered from the cache at once rather than after backoffs.
    env: { LARDER_OCI_UPSTREAMS: `${UPSTREAM}=${registry.url}`, LARDER_OCI_DEFAULT_UPSTREAM: UPSTREAM, LARDER_UPSTREAM_RETRIES: '0', ...options.env },
  })
  return { ...server, host: `127.0.0.1:${server.port}` }
}

/** Builds a layout under `dir` and pushes it to the registry as `repo:tag` (all platforms, digests kept). */
export async function buildAndPush(
  registry: RegistryFixture,
  dir: string,
  repo: string,
  tag: string,
  images: OciImageSpec[],
  creds?: string,
): Promise<OciLayout> {
  const layout = await buildOciLayout(join(dir, `${repo.replaceAll('/', '_')}-${tag}`), tag, images)
  const pushed = await pushLayout(layout.reference, `${registry.host}/${repo}:${tag}`, creds)
  expect(pushed.code, `push ${repo}:${tag}: ${describeSkopeo(pushed)}\n${registry.output()}`).toBe(0)
  return layout
}

export interface PullOptions {
  /** Pick one platform of an index (skopeo --override-arch). */
  arch?: string
  context?: string
}

/** `skopeo copy docker://<larder>/<image> oci:<out>` and the digest of what landed; fails the test with skopeo's output otherwise. */
export async function pullThrough(larder: OciLarder, image: string, out: string, options: PullOptions = {}): Promise<string> {
  const arch = options.arch ? ['--override-arch', options.arch, '--override-os', 'linux'] : []
  // Without --preserve-digests skopeo would recompress uncompressed layers for the layout, changing the digests.
  const result = await skopeo(['copy', '--src-tls-verify=false', '--preserve-digests', ...arch, `docker://${larder.host}/${image}`, `oci:${out}:pulled`])
  expect(result.code, `${options.context ?? ''} skopeo copy ${image}: ${describeSkopeo(result)}\n${larder.output()}`).toBe(0)
  return layoutDigest(out, 'pulled')
}

/** A pull expected to fail: skopeo's output, to check its message. */
export async function failedPull(larder: OciLarder, image: string, out: string): Promise<string> {
  const result = await skopeo(['copy', '--src-tls-verify=false', `docker://${larder.host}/${image}`, `oci:${out}:pulled`])
  expect(result.code, `skopeo copy ${image} should fail: ${describeSkopeo(result)}`).not.toBe(0)
  return `${result.stdout}${result.stderr}`
}

export async function inspectDigest(larder: OciLarder, image: string): Promise<string> {
  const result = await skopeo(['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${larder.host}/${image}`])
  expect(result.code, `skopeo inspect ${image}: ${describeSkopeo(result)}\n${larder.output()}`).toBe(0)
  return result.stdout.trim()
}

/** GETs a URL and hashes the body as it streams (20 clients of a big layer must not hold it in memory 20 times). */
export async function fetchDigest(url: string): Promise<{ status: number; digest: string; size: number }> {
  const response = await fetch(url)
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  return { status: response.status, digest: `sha256:${hash.digest('hex')}`, size }
}
