/** The OCI app with a push token, a push client over app.request, and small images to push, for the hosted tests. */
import { basicAuth, ociPushClient, sha256Of, type OciPushClient } from '@larder/testkit'
import { startOciAppHarness, type OciAppHarness } from './oci-app.harness.js'

export const PUSH_TOKEN = 'oci-push-token-1'
export const PUSH_AUTH = basicAuth('x', PUSH_TOKEN)
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

export interface HostedHarness extends OciAppHarness {
  /** Pushes with the token. */
  push: OciPushClient
  /** Pushes without one. */
  anonymous: OciPushClient
}

export async function startHostedHarness(env: Record<string, string> = {}): Promise<HostedHarness> {
  const h = await startOciAppHarness({}, { LARDER_TOKENS: `ci=${PUSH_TOKEN}:oci`, ...env })
  return { ...h, push: ociPushClient(h.request, PUSH_AUTH), anonymous: ociPushClient(h.request) }
}

export interface TestImage {
  bytes: Buffer
  digest: string
  configDigest: string
  layerDigests: string[]
}

/** An image manifest naming a config and layers (not uploaded); `extra` adds fields (subject, artifactType, annotations). */
export function imageManifest(config: Buffer, layers: Buffer[], extra: Record<string, unknown> = {}): TestImage {
  const descriptor = (mediaType: string, bytes: Buffer) => ({ mediaType, digest: sha256Of(bytes), size: bytes.length })
  const document = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor('application/vnd.oci.image.config.v1+json', config),
    layers: layers.map((layer) => descriptor('application/vnd.oci.image.layer.v1.tar', layer)),
    ...extra,
  }
  // Pretty-printed: what is served must be these bytes, not a re-serialisation.
  const bytes = Buffer.from(JSON.stringify(document, null, 2))
  return { bytes, digest: sha256Of(bytes), configDigest: sha256Of(config), layerDigests: layers.map(sha256Of) }
}

/** Uploads the blobs, then pushes the manifest under `reference`; fails on any status but 201. */
export async function pushImage(h: HostedHarness, name: string, reference: string, layers = [Buffer.from(`layer of ${name}:${reference}`)], extra = {}) {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', name, reference }))
  for (const blob of [config, ...layers]) {
    const uploaded = await h.push.uploadWhole(name, blob)
    if (uploaded.status !== 201) throw new Error(`upload to ${name}: ${uploaded.status} ${await uploaded.text()}`)
  }
  const image = imageManifest(config, layers, extra)
  const pushed = await h.push.putManifest(name, reference, image.bytes, OCI_MANIFEST)
  if (pushed.status !== 201) throw new Error(`push ${name}:${reference}: ${pushed.status} ${await pushed.text()}`)
  return image
}

export const errorsOf = async (response: Response) => ((await response.json()) as { errors: { code: string; message: string }[] }).errors
export const codeOf = async (response: Response) => (await errorsOf(response))[0]?.code
