/**
 * An OCI image list: one image reference a line, as Larder names images (`<larder-host>/<reference>`):
 *
 *     docker.io/library/debian:bookworm
 *     ghcr.io/org/app@sha256:<hex>
 *     local/team/app:1.0
 *
 * The first component is a name in LARDER_OCI_UPSTREAMS or the hosted one (LARDER_OCI_HOSTED_NAME); a name
 * without one goes to LARDER_OCI_DEFAULT_UPSTREAM, as on the server; no tag means `latest`. Each image is held
 * whole, as `skopeo copy --all` reads it: its manifest, every manifest of an index, every config and layer.
 * A digest is checked against the manifest; a tag holds what it names at prefetch time. Named `*.oci-list` or
 * `images.txt`; blank lines and `#` comments are skipped.
 */
import { readOciSettings } from '@larder/oci'
import type { LockfileFormat, ReadContext } from '../lockfile-format.js'
import type { LockedItem, ReadLockfile } from '../locked-item.js'
import { parseImageReference, type ImageReference } from './image-reference.js'
import { manifestDocument, walkImage } from './image-walk.js'

export const OCI_LIST = 'OCI image list'

export const ociListFormat: LockfileFormat = {
  name: OCI_LIST,
  byName: (name) => name.endsWith('.oci-list') || name === 'images.txt',
  read: (path, text, context) => readOciList(path, text, context),
}

export function readOciList(path: string, text: string, context: Pick<ReadContext, 'env'>): ReadLockfile {
  const settings = readOciSettings(context.env)
  const items: LockedItem[] = []
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const source = `${path}:${i + 1}`
    const reference = parseImageReference(line, settings)
    if ('problem' in reference) {
      items.push({ ecosystem: 'oci', source, name: line, version: '', indexes: [], artifacts: [], problem: `${line}: ${reference.problem}` })
      return
    }
    items.push(imageItem(source, reference))
  })
  return { path, format: OCI_LIST, items, skipped: 0 }
}

function imageItem(source: string, reference: ImageReference): LockedItem {
  const { name, tag, digest } = reference
  const top = manifestDocument(name, digest ?? tag!)
  const item: LockedItem = {
    ecosystem: 'oci',
    source,
    name,
    version: digest ?? tag!,
    indexes: [top],
    artifacts: [],
    purl: ociPurl(reference, digest),
    resolve: (documents) => {
      const walked = walkImage(documents, name, top, digest)
      // What a tag names is known only once its manifest is read: the SBOM gets the digest.
      item.purl = ociPurl(reference, walked.digest)
      return walked.artifacts
    },
  }
  return item
}

/** `pkg:oci/debian@sha256:<hex>?repository_url=docker.io/library/debian&tag=bookworm` (purl-spec: qualifiers sorted). */
export function ociPurl(reference: ImageReference, digest: string | undefined): string {
  const last = reference.name.split('/').at(-1)!
  const qualifiers = [`repository_url=${reference.name}`, ...(reference.tag ? [`tag=${encodeURIComponent(reference.tag)}`] : [])]
  return `pkg:oci/${last}${digest ? `@${digest}` : ''}?${qualifiers.join('&')}`
}
