/**
 * Builds OCI image layouts (the `oci:DIR:tag` that skopeo copies) at test time: real tar layers, a config with
 * their diff_ids, a manifest per platform, and for several platforms an image index, all content-addressed.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { writeTar } from '../archive/tar-writer.js'

export const OCI_MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX_TYPE = 'application/vnd.oci.image.index.v1+json'

export interface OciPlatform {
  os: string
  architecture: string
}

export interface OciImageSpec {
  platform?: OciPlatform
  /** Files of the one gzipped layer (path -> content). */
  files?: Record<string, string | Buffer>
  /** Adds an uncompressed layer of this many random bytes (one file): a layer worth coalescing. */
  bigLayerBytes?: number
}

export interface OciDescriptor {
  mediaType: string
  digest: string
  size: number
  platform?: OciPlatform
}

export interface BuiltImage {
  manifest: OciDescriptor
  config: OciDescriptor
  layers: OciDescriptor[]
}

export interface OciLayout {
  dir: string
  tag: string
  /** What the tag names: the manifest, or the index when there are several platforms. */
  top: OciDescriptor
  images: BuiltImage[]
  /** `oci:DIR:tag`, for skopeo. */
  readonly reference: string
}

/** Writes a layout holding one tag; several images become an index with one entry per platform. */
export async function buildOciLayout(dir: string, tag: string, images: readonly OciImageSpec[]): Promise<OciLayout> {
  if (images.length === 0) throw new TypeError('buildOciLayout: at least one image')
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true })
  const put = async (mediaType: string, bytes: Buffer): Promise<OciDescriptor> => {
    const hex = createHash('sha256').update(bytes).digest('hex')
    await writeFile(join(dir, 'blobs', 'sha256', hex), bytes)
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length }
  }
  const built: BuiltImage[] = []
  for (const [i, spec] of images.entries()) {
    const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' }
    const tars: { tar: Buffer; gzip: boolean }[] = [
      { tar: writeTar(fileEntries(spec.files ?? { [`hello-${i}.txt`]: `hello from ${platform.architecture}\n` })), gzip: true },
    ]
    if (spec.bigLayerBytes) tars.push({ tar: writeTar([{ name: 'big.bin', data: randomBytes(spec.bigLayerBytes) }]), gzip: false })
    const layers: OciDescriptor[] = []
    const diffIds: string[] = []
    for (const { tar, gzip } of tars) {
      diffIds.push(`sha256:${createHash('sha256').update(tar).digest('hex')}`)
      layers.push(gzip ? await put('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar)) : await put('application/vnd.oci.image.layer.v1.tar', tar))
    }
    const configDocument = { ...platform, created: '2024-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: diffIds }, config: { Cmd: ['/bin/true'] } }
    const config = await put('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify(configDocument)))
    const manifestDocument = { schemaVersion: 2, mediaType: OCI_MANIFEST_TYPE, config, layers }
    const manifest = await put(OCI_MANIFEST_TYPE, Buffer.from(JSON.stringify(manifestDocument)))
    built.push({ manifest: { ...manifest, platform }, config, layers })
  }
  let top: OciDescriptor
  if (built.length === 1) {
    top = { mediaType: OCI_MANIFEST_TYPE, digest: built[0]!.manifest.digest, size: built[0]!.manifest.size }
  } else {
    const index = { schemaVersion: 2, mediaType: OCI_INDEX_TYPE, manifests: built.map((image) => image.manifest) }
    top = await put(OCI_INDEX_TYPE, Buffer.from(JSON.stringify(index)))
  }
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }))
  const refs = { schemaVersion: 2, manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': tag } }] }
  await writeFile(join(dir, 'index.json'), JSON.stringify(refs))
  return { dir, tag, top, images: built, reference: `oci:${dir}:${tag}` }
}

/** The digest a layout's tag names (what skopeo wrote to `oci:DIR:tag`). */
export async function layoutDigest(dir: string, tag?: string): Promise<string> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] }
  const entry = tag === undefined ? index.manifests[0] : index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)
  if (!entry) throw new Error(`layoutDigest: ${dir} has no ${tag === undefined ? 'manifest' : `tag ${tag}`}`)
  return entry.digest
}

function fileEntries(files: Record<string, string | Buffer>) {
  return Object.entries(files).map(([name, data]) => ({ name, data }))
}
