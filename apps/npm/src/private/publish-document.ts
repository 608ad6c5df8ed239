/** Reads and checks the document `npm publish` sends: one new version and its tarball as a base64 attachment. */
import { createHash } from 'node:crypto'
import { LarderError, parseIntegrity, toIntegrity } from '@larder/core'
import type { PackageName } from '../names/package-name.js'

export interface PublishedVersion {
  version: string
  manifest: Record<string, unknown>
  tarball: Buffer
  filename: string
  integrity: string
  shasum: string
  distTags: Record<string, string>
  readme: string | undefined
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/

const bad = (message: string) => new LarderError('E_BAD_REQUEST', `publish refused: ${message}`)

export function readPublishDocument(name: PackageName, body: Buffer): PublishedVersion {
  let doc: Record<string, any>
  try {
    doc = JSON.parse(body.toString('utf8'))
  } catch (cause) {
    throw new LarderError('E_BAD_REQUEST', 'publish refused: the body is not JSON', { cause })
  }
  if (typeof doc !== 'object' || doc === null) throw bad('the body is not a JSON object')
  if (doc.name !== name.full) throw bad(`the document names ${String(doc.name)}, the URL ${name.full}`)
  const versions = Object.keys(doc.versions ?? {})
  if (versions.length !== 1) throw bad('exactly one version must be published at a time')
  const version = versions[0]!
  if (!SEMVER.test(version)) throw bad(`"${version}" is not a valid semver version`)
  const manifest = doc.versions[version]
  if (manifest?.name !== name.full || manifest?.version !== version) throw bad('the version manifest does not match')
  const attachments = Object.entries(doc._attachments ?? {}) as [string, any][]
  if (attachments.length !== 1) throw bad('exactly one tarball attachment is needed')
  const [attachmentName, attachment] = attachments[0]!
  // npm names a scoped package's attachment '@scope/name-1.0.0.tgz'; the file is served as 'name-1.0.0.tgz'.
  const filename = `${name.bare}-${version}.tgz`
  if (attachmentName !== filename && attachmentName !== `${name.full}-${version}.tgz`) {
    throw bad(`the attachment must be named ${filename}`)
  }
  if (typeof attachment?.data !== 'string') throw bad('the attachment has no base64 data')
  const tarball = Buffer.from(attachment.data, 'base64')
  if (attachment.length !== undefined && attachment.length !== tarball.length) {
    throw bad(`the attachment is ${tarball.length} bytes, it says ${attachment.length}`)
  }
  const sha512 = createHash('sha512').update(tarball).digest('hex')
  const sha1 = createHash('sha1').update(tarball).digest('hex')
  const claimed = parseIntegrity(manifest.dist?.integrity)
  if ((claimed.sha512 && claimed.sha512 !== sha512) || (manifest.dist?.shasum && manifest.dist.shasum !== sha1)) {
    throw new LarderError('E_BAD_REQUEST', 'publish refused: the tarball does not match its integrity', {
      hint: 'the upload was corrupted on the way; publish again',
    })
  }
  const distTags: Record<string, string> = {}
  for (const [tag, target] of Object.entries(doc['dist-tags'] ?? {})) {
    if (typeof target === 'string' && /^[A-Za-z0-9._~-]+$/.test(tag) && !SEMVER.test(tag)) distTags[tag] = target
  }
  return {
    version,
    manifest,
    tarball,
    filename,
    integrity: toIntegrity('sha512', sha512),
    shasum: sha1,
    distTags,
    readme: typeof doc.readme === 'string' ? doc.readme : undefined,
  }
}

export function isSemver(version: string): boolean {
  return SEMVER.test(version)
}
