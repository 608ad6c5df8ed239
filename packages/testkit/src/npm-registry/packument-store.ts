/** The fixture registry's packages, rendered as full and abbreviated packuments with validators. */
import { createHash } from 'node:crypto'
import type { PackedPackage } from '../npm-pack/npm-pack.js'

export type PackumentForm = 'full' | 'abbreviated'

export interface PackumentDist {
  tarball: string
  integrity: string
  shasum: string
  fileCount: number
  unpackedSize: number
}

export type PackumentVersion = Record<string, unknown> & { name: string; version: string; _id: string; dist: PackumentDist }

export interface Packument {
  _id: string
  name: string
  description?: string
  'dist-tags': Record<string, string>
  versions: Record<string, PackumentVersion>
  time: Record<string, string>
  readme: string
}

export interface RenderedDocument {
  body: Buffer
  /** Strong, quoted, a hash of the body. */
  etag: string
  lastModified: string
}

// What registry.npmjs.org keeps in the abbreviated (install-v1) version objects.
const ABBREVIATED_FIELDS = [
  'name',
  'version',
  'deprecated',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'directories',
  'engines',
  'cpu',
  'os',
  'libc',
  'funding',
  'license',
  '_hasShrinkwrap',
  'dist',
]
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall']

interface VersionEntry {
  pkg: PackedPackage
  publishedAt: number
}

interface PackageEntry {
  versions: Map<string, VersionEntry>
  distTags: Record<string, string>
  created: number
  modified: number
  rendered: Partial<Record<PackumentForm, RenderedDocument>>
}

export interface PackumentStore {
  /** One change per call: a batch moves `modified` (and Last-Modified) once. */
  publish(packages: readonly PackedPackage[], tag: string): void
  removeVersion(name: string, version: string): boolean
  packument(name: string): Packument | undefined
  render(name: string, form: PackumentForm): RenderedDocument | undefined
  versionDocument(name: string, versionOrTag: string): PackumentVersion | undefined
  tarball(name: string, filename: string): PackedPackage | undefined
  names(): string[]
  latest(name: string): { pkg: PackedPackage; publishedAt: number } | undefined
}

export function createPackumentStore(options: { registryUrl: string }): PackumentStore {
  const packages = new Map<string, PackageEntry>()
  const tarballUrl = (pkg: PackedPackage) => `${options.registryUrl}/${pkg.name}/-/${pkg.filename}`

  const versionDocument = (pkg: PackedPackage): PackumentVersion => ({
    ...pkg.manifest,
    _id: `${pkg.name}@${pkg.version}`,
    dist: {
      tarball: tarballUrl(pkg),
      integrity: pkg.integrity,
      shasum: pkg.shasum,
      fileCount: pkg.fileCount,
      unpackedSize: pkg.unpackedSize,
    },
  })

  const latestEntry = (entry: PackageEntry) => {
    const tagged = entry.distTags.latest
    return (tagged && entry.versions.get(tagged)) || [...entry.versions.values()].at(-1)
  }

  const packument = (name: string): Packument | undefined => {
    const entry = packages.get(name)
    if (!entry) return undefined
    const latest = latestEntry(entry)
    const versions: Record<string, PackumentVersion> = {}
    const time: Record<string, string> = {
      created: new Date(entry.created).toISOString(),
      modified: new Date(entry.modified).toISOString(),
    }
    for (const [version, { pkg, publishedAt }] of entry.versions) {
      versions[version] = versionDocument(pkg)
      time[version] = new Date(publishedAt).toISOString()
    }
    const description = latest?.pkg.manifest.description
    return {
      _id: name,
      name,
      ...(typeof description === 'string' ? { description } : {}),
      'dist-tags': { ...entry.distTags },
      versions,
      time,
      readme: latest?.pkg.readme ?? '',
    }
  }

  const abbreviated = (name: string) => {
    const full = packument(name)
    if (!full) return undefined
    const versions: Record<string, Record<string, unknown>> = {}
    for (const [version, document] of Object.entries(full.versions)) {
      const slim: Record<string, unknown> = {}
      for (const field of ABBREVIATED_FIELDS) if (document[field] !== undefined) slim[field] = document[field]
      const scripts = document.scripts as Record<string, string> | undefined
      if (scripts && INSTALL_SCRIPTS.some((script) => script in scripts)) slim.hasInstallScript = true
      versions[version] = slim
    }
    return { name, modified: full.time.modified, 'dist-tags': full['dist-tags'], versions }
  }

  return {
    publish: (batch, tag) => {
      const seen = new Set<string>()
      for (const { name, version } of batch) {
        const id = `${name}@${version}`
        if (seen.has(id) || packages.get(name)?.versions.has(version)) throw new Error(`publish: ${id} is already published`)
        seen.add(id)
      }
      const now = Date.now()
      const existing = new Set<PackageEntry>()
      const created = new Set<PackageEntry>()
      for (const pkg of batch) {
        let entry = packages.get(pkg.name)
        if (entry && !created.has(entry)) existing.add(entry)
        if (!entry) {
          entry = { versions: new Map(), distTags: {}, created: now, modified: now, rendered: {} }
          packages.set(pkg.name, entry)
          created.add(entry)
        }
        entry.versions.set(pkg.version, { pkg, publishedAt: now })
        entry.distTags[tag] = pkg.version
        entry.rendered = {}
      }
      for (const entry of existing) touch(entry, now)
    },
    removeVersion: (name, version) => {
      const entry = packages.get(name)
      if (!entry?.versions.delete(version)) return false
      if (entry.versions.size === 0) return packages.delete(name)
      for (const [tag, tagged] of Object.entries(entry.distTags)) if (tagged === version) delete entry.distTags[tag]
      // npm keeps a `latest` tag; the most recently published remaining version takes it.
      entry.distTags.latest ??= [...entry.versions.keys()].at(-1) as string
      touch(entry, Date.now())
      return true
    },
    packument,
    render: (name, form) => {
      const entry = packages.get(name)
      if (!entry) return undefined
      // Rendering a multi-MB packument per request would dominate benchmarks, so it is cached per change.
      entry.rendered[form] ??= renderDocument(form === 'full' ? packument(name) : abbreviated(name), entry.modified)
      return entry.rendered[form]
    },
    versionDocument: (name, versionOrTag) => {
      const entry = packages.get(name)
      const version = entry?.distTags[versionOrTag] ?? versionOrTag
      const found = entry?.versions.get(version)
      return found && versionDocument(found.pkg)
    },
    tarball: (name, filename) => {
      for (const { pkg } of packages.get(name)?.versions.values() ?? []) if (pkg.filename === filename) return pkg
      return undefined
    },
    names: () => [...packages.keys()],
    latest: (name) => {
      const entry = packages.get(name)
      return entry && latestEntry(entry)
    },
  }
}

// Last-Modified has one-second resolution: each change moves `modified` into a new second, or
// a client revalidating by date within the same second would be told nothing changed.
function touch(entry: PackageEntry, now: number): void {
  entry.modified = Math.max(now, (Math.floor(entry.modified / 1000) + 1) * 1000)
  entry.rendered = {}
}

function renderDocument(document: unknown, modified: number): RenderedDocument {
  const body = Buffer.from(JSON.stringify(document))
  return {
    body,
    etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
    lastModified: new Date(modified).toUTCString(),
  }
}
