/**
 * The steps the rebuild tests share for `larder export` and `larder import`: run them as a user does,
 * open the bundle with the system's tar and sha256sum, and look at a store's files directly.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { expect } from 'vitest'
import { run, waitFor, type RunResult } from '@larder/testkit'
import { describeCli, larderCli } from './larder-cli.js'

/** zstd frames start with these bytes (RFC 8878). */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

const describeRun = (result: RunResult) => `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`

/** http://127.0.0.1:PORT with nothing listening: a port this process bound and closed again. */
export async function deadUpstream(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
  return `http://127.0.0.1:${port}`
}

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
export async function exportBundle(lockfiles: readonly string[], dataDir: string, out: string, options: ExportOptions): Promise<ExportSummary> {
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
export async function extractBundle(bundle: string, into: string, zstd: boolean): Promise<ExtractedBundle> {
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
export function expectBundleNames(bundle: ExtractedBundle, expected: readonly ExpectedPackage[]): void {
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

/** `larder import --json <bundle>` into the store in `dataDir`: exit 0, every entry and blob of the manifest new there. */
export async function importBundle(bundle: string, dataDir: string, manifest: BundleManifest): Promise<ImportSummary> {
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

/**
 * The settings of a Larder whose upstream is dead, as `name` of its upstream variable. Its index TTL is 0,
 * so every index it serves is past it: it asks the dead upstream and answers with its stored copy (STALE).
 */
export const deadUpstreamEnv = (name: string, upstream: string) => ({ [name]: upstream, LARDER_INDEX_TTL_SECONDS: '0' })

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

/** GET `url`: its status, X-Larder-Cache and body. */
export async function get(url: string): Promise<{ status: number; cache: string | null; body: Buffer }> {
  const response = await fetch(url)
  return { status: response.status, cache: response.headers.get('x-larder-cache'), body: Buffer.from(await response.arrayBuffer()) }
}

/**
 * Waits, by asking it, until a running Larder answers `url` with 200 (and `body` when given): it polls
 * its store's `changed` file once a second, so a key it found absent before an import is served soon after.
 */
export async function awaitServed(url: string, body?: Buffer): Promise<void> {
  await waitFor(
    async () => {
      const got = await get(url)
      return got.status === 200 && (body === undefined || got.body.equals(body))
    },
    { timeoutMs: 10_000, description: `${url} served after the import` },
  )
}
