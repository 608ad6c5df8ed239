/** Reads and checks the document `npm publish` sends: one new version and its tarball as a base64 attachment. */
import { createHash } from 'node:crypto'
import { LarderError, parseIntegrity, toIntegrity } from '@larder/core'
import semver from 'semver'
import type { PackageName } from '../names/package-name.js'
import type { TarballFacts } from './tarball-facts.js'

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

const bad = (message: string) => new LarderError('E_BAD_REQUEST', `publish refused: ${message}`)

/** `doc` is the parsed body (a JSON object). */
export function readPublishDocument(name: PackageName, doc: Record<string, any>): PublishedVersion {
  if (doc.name !== name.full) throw bad(`the document names ${String(doc.name)}, the URL ${name.full}`)
  const versions = Object.keys(doc.versions ?? {})
  if (versions.length !== 1) throw bad('exactly one version must be published at a time')
  const version = versions[0]!
  if (!isCanonicalVersion(version)) throw bad(`"${version}" is not a valid semver version`)
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
    if (!isNewDistTag(tag)) throw bad(`invalid dist-tag "${tag.slice(0, 64)}" (${DIST_TAG_RULE})`)
    if (typeof target === 'string') distTags[tag] = target
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

/**
 * A version as npm publishes it: valid SemVer 2.0 written canonically. npm cleans "v1.2.3" to
 * "1.2.3" before it sends a document, and semver.valid alone would accept the raw form too.
 */
export function isCanonicalVersion(version: string): boolean {
  const parsed = semver.parse(version)
  return parsed !== null && `${parsed.version}${parsed.build.length > 0 ? `+${parsed.build.join('.')}` : ''}` === version
}

/** A dist-tag npm would read as a version (`npm install pkg@v1.2.3`), so it cannot be a tag. */
export function looksLikeVersion(tag: string): boolean {
  return semver.valid(tag) !== null
}

export const MAX_DIST_TAG_LENGTH = 128
export const DIST_TAG_RULE = `letters, digits and . _ ~ -, at most ${MAX_DIST_TAG_LENGTH}, and nothing npm reads as a version range such as v1`

/**
 * A tag being set now: npm's own rule (no valid semver range: `npm install pkg@v1` would read it as one), a
 * length limit, and never `__proto__`, which a JSON object cannot hold as a plain key. Tags stored before
 * are only held to `looksLikeVersion` (checkedTags), so an old tag never blocks the next publish.
 */
export function isNewDistTag(tag: string): boolean {
  return tag.length <= MAX_DIST_TAG_LENGTH && /^[A-Za-z0-9._~-]+$/.test(tag) && tag !== '__proto__' && semver.validRange(tag) === null
}

/**
 * The document must describe the tarball: npm installs the document's dependencies and scripts but unpacks the
 * tarball's package.json, and a name or version that differ ("manifest confusion") would install something else.
 */
export function assertTarballMatches(name: PackageName, published: PublishedVersion, facts: TarballFacts): void {
  const { name: packedName, version: packedVersion } = facts.packageJson
  // npm cleans the version it puts in the document ("v1.2.3" becomes "1.2.3") and packs package.json as written.
  const cleaned = typeof packedVersion === 'string' ? semver.clean(packedVersion) : null
  if (packedName !== name.full || (packedVersion !== published.version && cleaned !== published.version)) {
    throw bad(`the tarball's package.json is ${String(packedName)}@${String(packedVersion)}, the document publishes ${name.full}@${published.version}`)
  }
}

/** What only the registry may say about a version: a publisher's own signatures, attestations or maintainers would be believed by clients. */
const REGISTRY_FIELDS = ['maintainers', '_npmUser', '_id', 'dist'] as const

/** The manifest Larder stores for a published version: what npm sent, with the facts only the server can vouch for. */
export function privateManifest(
  name: PackageName,
  published: PublishedVersion,
  facts: TarballFacts,
  publisher: string,
  tarballOrigin: string,
): Record<string, any> {
  const claimed = { ...published.manifest }
  for (const field of REGISTRY_FIELDS) delete claimed[field]
  const manifest: Record<string, any> = {
    ...claimed,
    _id: `${name.full}@${published.version}`,
    _npmUser: { name: publisher },
    _hasShrinkwrap: facts.hasShrinkwrap,
    // Only what Larder computed: a dist.signatures or dist.attestations sent by the publisher is dropped.
    dist: {
      tarball: `${tarballOrigin}/${name.full}/-/${published.filename}`,
      integrity: published.integrity,
      shasum: published.shasum,
      fileCount: facts.fileCount,
      unpackedSize: facts.unpackedSize,
    },
  }
  // Install scripts the document or the tarball's own package.json declares: npm runs those of what it unpacks.
  const hasScript = (scripts: unknown) =>
    scripts !== null && typeof scripts === 'object' && ['preinstall', 'install', 'postinstall'].some((s) => Object.hasOwn(scripts, s))
  if (facts.hasBindingGyp || hasScript(published.manifest.scripts) || hasScript(facts.packageJson.scripts)) manifest.hasInstallScript = true
  return manifest
}

/**
 * The package's maintainers (what `npm owner ls` prints): the token names that published its
 * versions. Tokens have no e-mail address; npm prints `name <email>`, so a reserved, obviously
 * unreal one stands in.
 */
export function publishersOf(doc: Record<string, any>): { name: string; email: string }[] {
  const known = Array.isArray(doc.maintainers) ? doc.maintainers.map((m: any) => String(m?.name)) : []
  const publishers = Object.values(doc.versions ?? {})
    .map((m: any) => m?._npmUser?.name)
    .filter((n) => typeof n === 'string')
  return [...new Set<string>([...known, ...publishers])].map((name) => ({ name, email: `${name}@larder.invalid` }))
}

/** Dist-tags as stored: each names a published version, and none looks like a version itself. */
export function checkedTags(doc: Record<string, any>, tags: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [tag, version] of Object.entries(tags ?? {})) {
    if (typeof version !== 'string' || !doc.versions[version]) {
      throw new LarderError('E_BAD_REQUEST', `dist-tag ${tag} points at ${String(version)}, which is not published`)
    }
    if (looksLikeVersion(tag)) throw new LarderError('E_BAD_REQUEST', `a dist-tag cannot look like a version (${tag})`)
    out[tag] = version
  }
  return out
}
