/** Packument writes without a tarball (npm deprecate, unpublish of a version, owner, star): what they ask for, and what Larder applies. */
import { isDeepStrictEqual } from 'node:util'
import { LarderError, parseLimitedJsonObject } from '@larder/core'
import { tarballFilename } from '../packument/stored-packument.js'

type Doc = Record<string, any>

/** What a write without attachments asks for, told apart by the fields npm sends for each command. */
export type MetadataWrite =
  /** The whole document back with changes: `npm deprecate` (PUT /name), `npm unpublish name@v` (PUT /name/-rev/r). */
  | { kind: 'versions'; doc: Doc }
  /** `{ _id, _rev, maintainers }`: `npm owner add/rm`. */
  | { kind: 'owners' }
  /** `{ _id, _rev, users }`: `npm star/unstar`. */
  | { kind: 'stars' }

/** The tarball files of versions an update removed, for the caller to delete once the document is saved. */
export type RemovedTarballs = string[]

/** The body as a JSON object; its size was limited when it was read, its depth is limited here (MAX_JSON_DEPTH). */
export function parseWriteBody(body: Buffer, label: string): Doc {
  return parseLimitedJsonObject(body, { label: `${label} refused: the body`, maxBytes: body.length }) as Doc
}

export function hasAttachments(doc: Doc): boolean {
  return typeof doc._attachments === 'object' && doc._attachments !== null && Object.keys(doc._attachments).length > 0
}

export function readMetadataWrite(doc: Doc): MetadataWrite {
  if (isObject(doc.versions)) return { kind: 'versions', doc }
  if ('users' in doc) return { kind: 'stars' }
  if ('maintainers' in doc) return { kind: 'owners' }
  throw new LarderError('E_BAD_REQUEST', 'update refused: the document has no versions to change', {
    hint: 'send the packument (GET ?write=true) back with your change, or npm publish a tarball',
  })
}

export function ownersNotSupported(name: string): LarderError {
  return new LarderError('E_METHOD_NOT_ALLOWED', `npm owner add/rm is not supported by Larder: who may publish ${name} is set by LARDER_TOKENS`, {
    hint: 'every token with the npm scope may publish every private package',
  })
}

export function starsNotSupported(name: string): LarderError {
  return new LarderError('E_METHOD_NOT_ALLOWED', `npm star is not supported by Larder (asked to star ${name})`)
}

/**
 * Applies `next` to `current` in place: `deprecated` set (a non-empty string) or removed ('' or
 * absent, as `npm deprecate pkg ""` sends) on existing versions, and versions left out removed.
 * Anything else that differs is refused before anything changes, so the write is all or nothing.
 */
export function applyVersionUpdate(name: string, current: Doc, next: Doc): RemovedTarballs {
  const nextVersions = next.versions as Doc
  for (const [version, manifest] of Object.entries(nextVersions)) {
    const published = current.versions[version]
    if (!published) {
      throw new LarderError('E_BAD_REQUEST', `${name}@${version} is not published here, and a new version needs its tarball`, {
        hint: 'publish new versions with npm publish',
      })
    }
    if (!isObject(manifest)) throw new LarderError('E_BAD_REQUEST', `${name}@${version} is not a manifest object`)
    if (manifest.deprecated !== undefined && typeof manifest.deprecated !== 'string') {
      throw new LarderError('E_BAD_REQUEST', `${name}@${version}: "deprecated" must be a message string`)
    }
    const changed = changedField(published, manifest)
    if (changed) {
      throw new LarderError('E_BAD_REQUEST', `${name}@${version}: only "deprecated" can change in a published version, not "${changed}"`, {
        hint: 'publish a new version instead',
      })
    }
  }
  if (Object.keys(nextVersions).length === 0) {
    throw new LarderError('E_BAD_REQUEST', `an update cannot remove every version of ${name}`, { hint: `use npm unpublish ${name} --force` })
  }
  if (next.maintainers !== undefined && !isDeepStrictEqual(names(next.maintainers), names(current.maintainers))) throw ownersNotSupported(name)
  if (isObject(next.users) && Object.keys(next.users).length > 0) throw starsNotSupported(name)

  const removed: RemovedTarballs = []
  for (const [version, published] of Object.entries(current.versions as Record<string, Doc>)) {
    if (!Object.hasOwn(nextVersions, version)) {
      const file = tarballFilename(String(published.dist?.tarball ?? ''))
      if (file) removed.push(file)
      delete current.versions[version]
      continue
    }
    const message = nextVersions[version].deprecated
    if (message) published.deprecated = message
    else delete published.deprecated
  }
  return removed
}

/** The first top-level manifest field that differs, ignoring `deprecated` and the base URL of dist.tarball (set per client). */
function changedField(published: Doc, sent: Doc): string | undefined {
  const a = comparable(published)
  const b = comparable(sent)
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!isDeepStrictEqual(a[key], b[key])) return key
  }
  return undefined
}

function comparable(manifest: Doc): Doc {
  const { deprecated: _deprecated, ...rest } = manifest
  if (isObject(rest.dist) && typeof rest.dist.tarball === 'string') {
    rest.dist = { ...rest.dist, tarball: tarballFilename(rest.dist.tarball) ?? rest.dist.tarball }
  }
  return rest
}

function names(maintainers: unknown): string[] {
  return Array.isArray(maintainers) ? maintainers.map((m) => String(m?.name)).sort() : []
}

function isObject(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
