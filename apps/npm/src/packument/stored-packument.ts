/**
 * The form Larder stores a packument in, made by rewritePackument: every dist.tarball is a path
 * whose mirror base URL is inserted at serve time at recorded byte offsets. A tens-of-MB document
 * is parsed once when it is fetched, then only streamed.
 */
import { randomBytes } from 'node:crypto'
import { LarderError } from '@larder/core'
import { abbreviatePackument } from './abbreviate.js'

type Json = Record<string, unknown>

export interface TarballSource {
  version: string
  /** Where upstream serves it. */
  url: string
  integrity?: string
  shasum?: string
}

export interface StoredPackument {
  full: Buffer
  fullOffsets: number[]
  abbreviated: Buffer
  abbreviatedOffsets: number[]
  /** Tarball file name -> where to fetch it and what it must hash to. */
  tarballs: Record<string, TarballSource>
}

export interface RewriteOptions {
  /** The package name the document must describe. */
  name: string
  /** Tarball paths are `/${name}/-/${file}`; the caller's mirror base goes in front at serve time. */
  /** Where the document came from: tarball URLs relative to it are resolved against it. */
  documentUrl?: string
}

/** Validates and rewrites an upstream (or private) packument. */
export function rewritePackument(doc: unknown, options: RewriteOptions): StoredPackument {
  if (!isObject(doc) || !isObject(doc.versions ?? {})) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `packument of ${options.name} is not a JSON object with versions`)
  }
  if (doc.name !== undefined && doc.name !== options.name) {
    throw new LarderError('E_UPSTREAM_GARBAGE', `packument asked for ${options.name} describes ${String(doc.name)}`)
  }
  const marker = `@@larder-base-${randomBytes(12).toString('hex')}@@`
  const tarballs = Object.create(null) as Record<string, TarballSource>
  // A version named __proto__ is a key like any other, not the object's prototype.
  const rewritten: Json = { ...doc, versions: Object.create(null) as Json }
  for (const [version, manifest] of Object.entries((doc.versions ?? {}) as Record<string, unknown>)) {
    if (!isObject(manifest)) continue
    const dist = isObject(manifest.dist) ? manifest.dist : undefined
    const url = typeof dist?.tarball === 'string' ? absoluteUrl(dist.tarball, options.documentUrl) : undefined
    const filename = url ? mirrorFilename(tarballs, url, options.name, version) : undefined
    if (!dist || !url || !filename) {
      ;(rewritten.versions as Json)[version] = manifest
      continue
    }
    tarballs[filename] = {
      version,
      url,
      integrity: typeof dist.integrity === 'string' ? dist.integrity : undefined,
      shasum: typeof dist.shasum === 'string' ? dist.shasum : undefined,
    }
    const tarball = `${marker}/${options.name}/-/${filename}`
    ;(rewritten.versions as Json)[version] = { ...manifest, dist: { ...dist, tarball } }
  }
  const [full, fullOffsets] = serializeWithMarkers(rewritten, marker)
  const [abbreviated, abbreviatedOffsets] = serializeWithMarkers(abbreviatePackument(rewritten), marker)
  return { full, fullOffsets, abbreviated, abbreviatedOffsets, tarballs }
}

/**
 * The file name a version's tarball gets under /<name>/-/: the one its URL ends in, or, when that is no
 * .tgz name (GitHub Packages' /download/<name>/<version>/<sha>) or another version's file already has
 * it, `<name>-<version>.tgz` as npm names packed files. Undefined only when neither can be used.
 */
function mirrorFilename(taken: Record<string, TarballSource>, url: string, name: string, version: string): string | undefined {
  const free = (file: string | undefined) => file !== undefined && (!Object.hasOwn(taken, file) || taken[file]!.url === url)
  const natural = tarballFilename(url)
  if (free(natural)) return natural
  const packed = `${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`
  return TARBALL_NAME.test(packed) && free(packed) ? packed : undefined
}

/** A dist.tarball as an absolute URL: relative ones against the packument's own URL. */
function absoluteUrl(tarball: string, documentUrl: string | undefined): string | undefined {
  try {
    return new URL(tarball, documentUrl).href
  } catch {
    return undefined
  }
}

const TARBALL_NAME = /^[A-Za-z0-9~-][A-Za-z0-9._~+-]*\.tgz$/

/** The file name a tarball URL ends in, when it is a plausible .tgz name. */
export function tarballFilename(url: string): string | undefined {
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    return undefined
  }
  let last: string
  try {
    last = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
  } catch {
    // One malformed URL costs that version its tarball, not the whole package.
    return undefined
  }
  return TARBALL_NAME.test(last) ? last : undefined
}

function serializeWithMarkers(doc: unknown, marker: string): [Buffer, number[]] {
  const pieces = JSON.stringify(doc).split(marker)
  const buffers = pieces.map((piece) => Buffer.from(piece, 'utf8'))
  const offsets: number[] = []
  let position = 0
  for (let i = 0; i < buffers.length - 1; i++) {
    position += buffers[i]!.length
    offsets.push(position)
  }
  return [Buffer.concat(buffers), offsets]
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
