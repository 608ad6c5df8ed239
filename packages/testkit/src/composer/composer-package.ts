/** Builds Composer package dists at test time: a zip like a code host's zipball and the p2 version entry describing it. */
import { createHash } from 'node:crypto'
import type { ComposerVersion } from './minify.js'
import { writeZip } from './zip-writer.js'

export interface ComposerPackageOptions {
  /** vendor/name, lowercase. */
  name: string
  /** A tag like 1.2.0, or a branch version like dev-main. */
  version: string
  require?: Record<string, string>
  /** Extra files in the package (path -> content); src/Version.php is always added. */
  files?: Record<string, string>
  /** Puts everything under one top directory, as GitHub zipballs do (default true). */
  topDirectory?: boolean
  /** Added to composer.json as-is. */
  extra?: Record<string, unknown>
}

export interface ComposerPackage {
  name: string
  version: string
  versionNormalized: string
  /** A 40-hex "commit", unique per package and version. */
  reference: string
  zip: Buffer
  /** sha1 of the zip: what `dist.shasum` holds when a repository publishes it. */
  sha1: string
  composerJson: Record<string, unknown>
}

/** The PHP namespace of a package: acme/string-utils -> Acme\StringUtils. */
export function phpNamespace(name: string): string {
  const studly = (part: string) =>
    part
      .split(/[-_.]/)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join('')
  return name.split('/').map(studly).join('\\')
}

/** Enough of Composer's VersionParser for fixtures: x.y.z tags and dev-<branch>. */
export function normalizeFixtureVersion(version: string): string {
  if (version.startsWith('dev-')) return version
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(version)
  if (!match) throw new TypeError(`fixture versions are x.y.z or dev-<branch>, got "${version}"`)
  return `${match[1]}.${match[2] ?? 0}.${match[3] ?? 0}.0`
}

export function buildComposerPackage(options: ComposerPackageOptions): ComposerPackage {
  const { name, version, require = {}, files = {}, topDirectory = true, extra = {} } = options
  const namespace = phpNamespace(name)
  const composerJson: Record<string, unknown> = {
    name,
    description: `fixture package ${name}`,
    type: 'library',
    license: 'MIT',
    require,
    autoload: { 'psr-4': { [`${namespace}\\`]: 'src/' } },
    ...extra,
  }
  const reference = createHash('sha1').update(`${name}@${version}`).digest('hex')
  const prefix = topDirectory ? `${name.replace('/', '-')}-${reference.slice(0, 7)}/` : ''
  const allFiles: Record<string, string> = {
    'composer.json': JSON.stringify(composerJson, null, 4) + '\n',
    'src/Version.php': `<?php\nnamespace ${namespace};\n\nfinal class Version\n{\n    public const VERSION = '${version}';\n}\n`,
    ...files,
  }
  const zip = writeZip(Object.entries(allFiles).map(([path, data]) => ({ name: prefix + path, data })))
  return {
    name,
    version,
    versionNormalized: normalizeFixtureVersion(version),
    reference,
    zip,
    sha1: createHash('sha1').update(zip).digest('hex'),
    composerJson,
  }
}

export interface VersionEntryOptions {
  /** The dist URL the metadata gives (on the dist host). */
  distUrl: string
  /** 'real' (default) publishes the zip's sha1; 'empty' an empty string, as GitHub-backed packagist does; or a given value. */
  shasum?: 'real' | 'empty' | string
  time?: string
}

/** The p2 entry of one version, before minification. */
export function composerVersionEntry(pkg: ComposerPackage, options: VersionEntryOptions): ComposerVersion {
  const { shasum = 'real', time = '2024-01-01T00:00:00+00:00' } = options
  const { name: _name, ...fromComposerJson } = pkg.composerJson
  return {
    name: pkg.name,
    ...fromComposerJson,
    version: pkg.version,
    version_normalized: pkg.versionNormalized,
    time,
    dist: {
      type: 'zip',
      url: options.distUrl,
      reference: pkg.reference,
      shasum: shasum === 'real' ? pkg.sha1 : shasum === 'empty' ? '' : shasum,
    },
  }
}
