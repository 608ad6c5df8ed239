/** Builds a signed Debian archive on disk with the real apt-ftparchive: pool, Packages{,.gz,.xz}, by-hash copies, Release, InRelease, Release.gpg. */
import { createHash } from 'node:crypto'
import { spawn } from 'node:child_process'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'
import { run } from '../process/run.js'
import type { BuiltDeb } from './deb-build.js'
import type { GpgKey } from './gpg-key.js'

export const DEFAULT_APT_SUITE = 'stable'
export const DEFAULT_APT_ARCHITECTURE = 'amd64'
/** The digests apt can ask by-hash for; apt picks the strongest one Release lists. */
const BY_HASH_ALGORITHMS = [
  ['MD5Sum', 'md5'],
  ['SHA256', 'sha256'],
  ['SHA512', 'sha512'],
] as const

export interface AptArchiveOptions {
  root: string
  key: GpgKey
  suite?: string
  architecture?: string
  /** Adds `Valid-Until` this many seconds after `Date`. */
  validForSeconds?: number
  /** Writes this `Valid-Until`, and a `Date` a week before it (e.g. in the past: a Release kept through a long offline period). */
  validUntil?: Date
  /** Leaves InRelease out, as older archives do (Release + Release.gpg only). */
  withoutInRelease?: boolean
  /** Changes the Packages text before it is compressed and signed: a suite whose index says odd things, signed all the same. */
  rewritePackages?: (text: string) => string
}

export interface AptArchive {
  readonly root: string
  readonly suite: string
  /** Debs in the archive now. */
  readonly debs: readonly BuiltDeb[]
  /** Pool path of a deb, relative to the root: pool/main/d/demo/demo_1.0_all.deb */
  poolPath(deb: BuiltDeb): string
  /**
   * Adds debs and writes a new generation in the order a careful mirror does: pool and by-hash
   * objects first, then the indexes by path, then Release, Release.gpg and InRelease.
   * `signedBy` signs that generation with another key (a forged one, for a mirror that trusts only `key`).
   */
  publish(debs: readonly BuiltDeb[], options?: { signedBy?: GpgKey }): Promise<void>
  /** The bytes of a file of the archive, e.g. `dists/stable/InRelease`. */
  read(path: string): Promise<Buffer>
}

async function ftparchive(root: string, args: string[]): Promise<string> {
  const result = await run('apt-ftparchive', args, { cwd: root })
  if (result.code !== 0) throw new Error(`apt-ftparchive ${args.join(' ')} failed (${result.code}):\n${result.stderr}`)
  return result.stdout
}

export async function createAptArchive(options: AptArchiveOptions): Promise<AptArchive> {
  const { root, key, suite = DEFAULT_APT_SUITE, architecture = DEFAULT_APT_ARCHITECTURE } = options
  const debs: BuiltDeb[] = []
  const dist = join(root, 'dists', suite)
  const binaryDir = join(dist, 'main', `binary-${architecture}`)
  const poolPath = (deb: BuiltDeb) => `pool/main/${deb.name.slice(0, 1)}/${deb.name}/${deb.filename}`

  const writeIndexes = async () => {
    await mkdir(binaryDir, { recursive: true })
    await mkdir(join(root, 'pool/main'), { recursive: true })
    const listed = await ftparchive(root, ['packages', 'pool/main'])
    const packages = Buffer.from(options.rewritePackages ? options.rewritePackages(listed) : listed)
    const bodies = { Packages: packages, 'Packages.gz': gzipSync(packages), 'Packages.xz': await xz(packages) }
    for (const body of Object.values(bodies)) {
      for (const [dirName, algorithm] of BY_HASH_ALGORITHMS) {
        const byHash = join(binaryDir, 'by-hash', dirName)
        await mkdir(byHash, { recursive: true })
        await writeFile(join(byHash, createHash(algorithm).update(body).digest('hex')), body)
      }
    }
    for (const [name, body] of Object.entries(bodies)) await replaceFile(join(binaryDir, name), body)
  }

  const writeRelease = async (signer: GpgKey) => {
    const set = (field: string, value: string) => ['-o', `APT::FTPArchive::Release::${field}=${value}`]
    const args = [
      ...set('Origin', 'Larder Fixture'),
      ...set('Label', 'Larder Fixture'),
      ...set('Suite', suite),
      ...set('Codename', suite),
      ...set('Architectures', architecture),
      ...set('Components', 'main'),
      ...set('Acquire-By-Hash', 'yes'),
      ...(options.validForSeconds ? set('ValidTime', String(options.validForSeconds)) : []),
      // Only the index folders: by-hash copies are not indexes of their own.
      '-o',
      'APT::FTPArchive::Release::Patterns::=Packages*',
      'release',
      relative(root, dist),
    ]
    let release = await ftparchive(root, args)
    if (options.validUntil) {
      const stamp = (date: Date) => date.toUTCString().replace('GMT', 'UTC')
      const date = new Date(options.validUntil.getTime() - 7 * 24 * 3600 * 1000)
      release = release.replace(/^Valid-Until: .*\n/m, '').replace(/^Date: .*\n/m, `Date: ${stamp(date)}\nValid-Until: ${stamp(options.validUntil)}\n`)
    }
    const staging = join(root, '.staging')
    await mkdir(staging, { recursive: true })
    await writeFile(join(staging, 'Release'), release)
    await signer.detachSign(join(staging, 'Release'), join(staging, 'Release.gpg'))
    const names = ['Release', 'Release.gpg']
    if (!options.withoutInRelease) {
      await signer.clearsign(join(staging, 'Release'), join(staging, 'InRelease'))
      names.push('InRelease')
    }
    for (const name of names) await rename(join(staging, name), join(dist, name))
    await rm(staging, { recursive: true, force: true })
  }

  return {
    root,
    suite,
    debs,
    poolPath,
    publish: async (added, publishOptions = {}) => {
      for (const deb of added) {
        const target = join(root, poolPath(deb))
        await mkdir(dirname(target), { recursive: true })
        await writeFile(target, deb.bytes)
        debs.push(deb)
      }
      await writeIndexes()
      await writeRelease(publishOptions.signedBy ?? key)
    },
    read: (path) => readFile(join(root, path)),
  }
}

async function replaceFile(path: string, body: Buffer): Promise<void> {
  await writeFile(`${path}.new`, body)
  await rename(`${path}.new`, path)
}

/** `run` decodes output as text; xz output is binary, so this pipes it by hand. */
function xz(body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('xz', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`xz exited with ${code}`))))
    child.stdin.end(body)
  })
}
