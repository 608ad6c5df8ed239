/** Builds real npm tarballs with the real `npm pack`, so fixtures serve exactly what npmjs would. */
import { createHash } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, normalize } from 'node:path'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { prepareIsolatedNpmEnv } from './npm-env.js'

export const DEFAULT_PACK_TIMEOUT_MS = 60_000
const NAME_PATTERN = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/
const VERSION_PATTERN = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

export interface NpmPackageSpec {
  name: string
  version: string
  description?: string
  dependencies?: Record<string, string>
  scripts?: Record<string, string>
  bin?: string | Record<string, string>
  /** Relative path -> content. Default: an index.js exporting the name and version. */
  files?: Record<string, string>
  /** Further package.json fields (engines, peerDependencies, os...). */
  manifest?: Record<string, unknown>
}

export type PackageManifest = Record<string, unknown> & { name: string; version: string }

export interface PackedPackage {
  name: string
  version: string
  /** As the registry names it: `left-pad-1.0.0.tgz`; for `@s/n`, `n-1.0.0.tgz`. */
  filename: string
  tarball: Buffer
  /** `sha512-<base64>` */
  integrity: string
  /** sha1, hex */
  shasum: string
  fileCount: number
  unpackedSize: number
  /** The package.json inside the tarball. */
  manifest: PackageManifest
  /** README.md content when the spec has one, else ''. */
  readme: string
}

interface NpmPackReport {
  filename: string
  integrity: string
  shasum: string
  entryCount: number
  unpackedSize: number
}

export async function packNpmPackage(spec: NpmPackageSpec): Promise<PackedPackage> {
  const { name, version } = spec
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw new TypeError(`name must be a valid npm package name, got ${JSON.stringify(name)}`)
  if (typeof version !== 'string' || !VERSION_PATTERN.test(version)) throw new TypeError(`version must be a semver version, got ${JSON.stringify(version)}`)

  const manifest = buildManifest(spec)
  const files = { ...(spec.files ?? { 'index.js': `module.exports = ${JSON.stringify({ name, version })}\n` }) }
  for (const binPath of binPaths(spec.bin)) files[binPath] ??= `#!/usr/bin/env node\nconsole.log(${JSON.stringify(`${name}@${version}`)})\n`

  const work = await makeTempDir('larder-npm-pack-')
  try {
    const source = join(work.path, 'package')
    const destination = join(work.path, 'out')
    await mkdir(destination, { recursive: true })
    await writeFiles(source, { ...files, 'package.json': `${JSON.stringify(manifest, null, 2)}\n` })
    for (const binPath of binPaths(spec.bin)) await chmod(join(source, binPath), 0o755)

    const env = await prepareIsolatedNpmEnv(work.path)
    // --ignore-scripts: a spec's prepare/prepack scripts are fixture data, not something to run here.
    const result = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], {
      cwd: source,
      env,
      timeoutMs: DEFAULT_PACK_TIMEOUT_MS,
    })
    if (result.code !== 0) throw new Error(`npm pack failed for ${name}@${version} (exit ${result.code}):\n${result.stderr}`)
    const report = parsePackReport(result.stdout)

    const tarball = await readFile(join(destination, report.filename))
    const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`
    const shasum = createHash('sha1').update(tarball).digest('hex')
    if (integrity !== report.integrity || shasum !== report.shasum) {
      throw new Error(`npm pack reported ${report.integrity} / ${report.shasum} but the tarball hashes to ${integrity} / ${shasum}`)
    }
    return {
      name,
      version,
      filename: `${name.split('/').pop()}-${version}.tgz`,
      tarball,
      integrity,
      shasum,
      fileCount: report.entryCount,
      unpackedSize: report.unpackedSize,
      manifest,
      readme: files['README.md'] ?? '',
    }
  } finally {
    await work.cleanup()
  }
}

function buildManifest(spec: NpmPackageSpec): PackageManifest {
  const manifest: PackageManifest = { name: spec.name, version: spec.version }
  if (spec.description !== undefined) manifest.description = spec.description
  if (!spec.files || 'index.js' in spec.files) manifest.main = 'index.js'
  manifest.license = 'MIT'
  if (spec.dependencies) manifest.dependencies = spec.dependencies
  if (spec.scripts) manifest.scripts = spec.scripts
  if (spec.bin !== undefined) manifest.bin = spec.bin
  return { ...manifest, ...spec.manifest, name: spec.name, version: spec.version }
}

function binPaths(bin: NpmPackageSpec['bin']): string[] {
  if (bin === undefined) return []
  return typeof bin === 'string' ? [bin] : Object.values(bin)
}

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const normalized = normalize(relative)
    if (normalized.startsWith('..') || normalized.startsWith('/')) throw new TypeError(`files keys must be relative paths inside the package, got ${relative}`)
    const path = join(root, normalized)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, content)
  }
}

function parsePackReport(stdout: string): NpmPackReport {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch (error) {
    throw new Error(`npm pack --json printed something that is not JSON:\n${stdout}`, { cause: error })
  }
  const report = Array.isArray(parsed) ? (parsed[0] as NpmPackReport | undefined) : undefined
  if (!report?.filename || !report.integrity) throw new Error(`npm pack --json printed no report:\n${stdout}`)
  return report
}
