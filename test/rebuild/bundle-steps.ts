/**
 * The steps the rebuild tests share for `larder export` and `larder import`: run them as a user does,
 * open the bundle with the system's tar and sha256sum, and look at a store's files directly.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect } from 'vitest'
import { run, waitFor, type EnvOverrides, type RunResult } from '@larder/testkit'
import type { LarderServer } from '../support/larder-process.js'
import { describeCli, larderCli } from './larder-cli.js'
import { get } from './store-larders.js'

/** zstd frames start with these bytes (RFC 8878). */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

const describeRun = (result: RunResult) => `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`

/** What `larder export --json` prints. */
export interface ExportSummary {
  out: string
  entries: number
  blobs: number
  bytes: number
  fileBytes: number
  zstd: boolean
  ms: number
}

/** What `larder import --json` prints. */
export interface ImportSummary {
  bundle: string
  entries: number
  kept: number
  blobs: number
  present: number
  bytes: number
  ms: number
}

export interface BundleManifest {
  format: string
  version: number
  entries: { key: string; status: string; blob?: string }[]
  blobs: { sha256: string; size: number }[]
}

export interface SbomComponent {
  purl: string
  name: string
  version: string
  hashes: { alg: string; content: string }[]
}

export interface ExtractedBundle {
  dir: string
  manifest: BundleManifest
  sbom: { bomFormat: string; specVersion: string; components: SbomComponent[] }
}

export interface ExportOptions {
  /** Pass --zstd (otherwise only a `.zst` name asks for zstd). */
  zstdFlag?: boolean
  /** Whether the file written should be zstd. */
  zstd: boolean
}

/** `larder export --json --out <out> <lockfiles>` on the store in `dataDir`: exit 0, and the file it says it wrote. */
async function exportBundle(lockfiles: readonly string[], dataDir: string, out: string, options: ExportOptions): Promise<ExportSummary> {
  const result = await larderCli(['export', '--json', ...(options.zstdFlag ? ['--zstd'] : []), '--out', out, ...lockfiles], dataDir)
  expect(result.code, describeCli(result)).toBe(0)
  const summary = JSON.parse(result.stdout) as ExportSummary
  expect(summary).toMatchObject({ out, zstd: options.zstd })
  expect(summary.entries).toBeGreaterThan(0)
  expect(summary.blobs).toBeGreaterThan(0)
  const file = await readFile(out)
  expect(summary.fileBytes).toBe(file.length)
  expect(file.subarray(0, 4).equals(ZSTD_MAGIC), `${out} starts with zstd's magic bytes`).toBe(options.zstd)
  return summary
}

/**
 * Unpacks the bundle with the system's tar (`--zstd` when it is compressed) into `into`; checks that
 * `sha256sum -c larder-bundle.sha256` passes there for the manifest and the SBOM, and that the blobs
 * in the tar are exactly those the manifest lists, each hashing to its name and of its listed size.
 */
async function extractBundle(bundle: string, into: string, zstd: boolean): Promise<ExtractedBundle> {
  const tar = await run('tar', [...(zstd ? ['--zstd'] : []), '-xf', bundle, '-C', into])
  expect(tar.code, describeRun(tar)).toBe(0)
  expect((await readdir(into)).sort()).toEqual(['blobs', 'larder-bundle.json', 'larder-bundle.sha256', 'sbom.cdx.json'])
  const sums = await run('sha256sum', ['-c', 'larder-bundle.sha256'], { cwd: into })
  expect(sums.code, describeRun(sums)).toBe(0)
  expect(sums.stdout).toBe('larder-bundle.json: OK\nsbom.cdx.json: OK\n')

  const manifest = JSON.parse(await readFile(join(into, 'larder-bundle.json'), 'utf8')) as BundleManifest
  expect(manifest).toMatchObject({ format: 'larder-bundle', version: 1 })
  const blobDir = join(into, 'blobs/sha256')
  const names = (await readdir(blobDir)).sort()
  expect(names).toEqual(manifest.blobs.map((b) => b.sha256).sort())
  for (const blob of manifest.blobs) {
    const bytes = await readFile(join(blobDir, blob.sha256))
    expect(sha256Hex(bytes), `blobs/sha256/${blob.sha256}`).toBe(blob.sha256)
    expect(bytes.length, `blobs/sha256/${blob.sha256}`).toBe(blob.size)
  }
  const sbom = JSON.parse(await readFile(join(into, 'sbom.cdx.json'), 'utf8')) as ExtractedBundle['sbom']
  expect(sbom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' })
  return { dir: into, manifest, sbom }
}

/** One locked package: its purl, and the sha256 of each file of it the lockfiles name. */
export interface ExpectedPackage {
  purl: string
  sha256: string[]
}

/** The SBOM names exactly these packages, each with the SHA-256 of its files; each of those files is a blob of the bundle. */
function expectBundleNames(bundle: ExtractedBundle, expected: readonly ExpectedPackage[]): void {
  const purls = bundle.sbom.components.map((c) => c.purl)
  expect([...purls].sort()).toEqual(expected.map((p) => p.purl).sort())
  const blobs = bundle.manifest.blobs.map((b) => b.sha256)
  for (const { purl, sha256 } of expected) {
    const component = bundle.sbom.components.find((c) => c.purl === purl)!
    for (const hash of sha256) {
      expect(component.hashes, purl).toContainEqual({ alg: 'SHA-256', content: hash })
      expect(blobs, `${purl}: its file ${hash} is in the bundle`).toContain(hash)
    }
  }
}

/**
 * `larder export` of `lockfiles` from the store in `dataDir` to `out`, opened into `into` (see extractBundle):
 * it names exactly the `expected` packages, and its summary counts what its manifest lists.
 */
export async function exportAndCheck(
  lockfiles: readonly string[],
  dataDir: string,
  paths: { out: string; into: string },
  expected: readonly ExpectedPackage[],
  options: ExportOptions,
): Promise<ExtractedBundle> {
  const exported = await exportBundle(lockfiles, dataDir, paths.out, options)
  const extracted = await extractBundle(paths.out, paths.into, options.zstd)
  expectBundleNames(extracted, expected)
  expect(exported).toMatchObject({ entries: extracted.manifest.entries.length, blobs: extracted.manifest.blobs.length })
  return extracted
}

/**
 * `larder export --out <out> <lockfile>` from the store in `dataDir`, with `env`: exit 0; then only the SBOM
 * taken out of the bundle into `into` with the system's tar (`--zstd` when it is compressed), and read.
 */
export async function exportedSbom(lockfile: string, dataDir: string, paths: { out: string; into: string }, env: EnvOverrides, zstd = false) {
  const exported = await larderCli(['export', '--out', paths.out, lockfile], dataDir, env)
  expect(exported.code, describeCli(exported)).toBe(0)
  const tar = await run('tar', [...(zstd ? ['--zstd'] : []), '-xf', paths.out, '-C', paths.into, 'sbom.cdx.json'])
  expect(tar.code, describeRun(tar)).toBe(0)
  return JSON.parse(await readFile(join(paths.into, 'sbom.cdx.json'), 'utf8')) as ExtractedBundle['sbom']
}

/** `larder import --json <bundle>` into the store in `dataDir`: exit 0, every entry and blob of the manifest new there. */
async function importBundle(bundle: string, dataDir: string, manifest: BundleManifest): Promise<ImportSummary> {
  const result = await larderCli(['import', '--json', bundle], dataDir)
  expect(result.code, describeCli(result)).toBe(0)
  const summary = JSON.parse(result.stdout) as ImportSummary
  expect(summary).toMatchObject({
    bundle,
    entries: manifest.entries.length,
    kept: 0,
    blobs: manifest.blobs.length,
    present: 0,
    bytes: manifest.blobs.reduce((n, b) => n + b.size, 0),
  })
  return summary
}

/** Every file under `dir` (none when it does not exist). */
export async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const found = await readdir(dir, { recursive: true, withFileTypes: true })
  return found.filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name))
}

/** The entry and blob files of the store in `dataDir`. */
export async function storeFiles(dataDir: string): Promise<{ entries: string[]; blobs: string[] }> {
  return { entries: await filesUnder(join(dataDir, 'store/entries')), blobs: await filesUnder(join(dataDir, 'store/blobs')) }
}

/**
 * Waits, by asking it, until a running Larder answers `url` with 200 (and `body` when given): it polls
 * its store's `changed` file once a second, so a key it found absent before an import is served soon after.
 */
async function awaitServed(url: string, body?: Buffer): Promise<void> {
  await waitFor(
    async () => {
      const got = await get(url)
      return got.status === 200 && (body === undefined || got.body.equals(body))
    },
    { timeoutMs: 10_000, description: `${url} served after the import` },
  )
}

/**
 * `larder import` of `bundle` into the store of `server` while it runs. Before it, the server cannot serve `url`
 * (and its entry cache remembers it absent); soon after it serves it (`body`, when given). Returns how many
 * requests the server had logged by then, so a test can look at those of the install that follows alone.
 */
export async function importWhileServing(server: LarderServer, bundle: string, manifest: BundleManifest, url: string, body?: Buffer): Promise<number> {
  expect((await get(url)).status, server.output()).toBeGreaterThanOrEqual(500)
  await importBundle(bundle, server.dataDir, manifest)
  await awaitServed(url, body)
  return (await server.requests()).length
}
