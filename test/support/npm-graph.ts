/** The fixture packages the npm end-to-end tests install: a small graph with a scope, dependencies and two versions. */
import { existsSync } from 'node:fs'
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { packNpmPackage, type PackedPackage } from '@larder/testkit'

export interface NpmGraph {
  right100: PackedPackage
  right110: PackedPackage
  left: PackedPackage
  util: PackedPackage
  all: PackedPackage[]
}

/**
 * app -> @e2e/util ^1 -> e2e-left ^1 -> e2e-right ^1.1.0, and app -> e2e-right 1.0.0
 * exactly, so a correct install holds both versions of e2e-right: version resolution is exercised.
 */
export const GRAPH_DEPENDENCIES = { '@e2e/util': '^1.0.0', 'e2e-right': '1.0.0' }

export async function packNpmGraph(): Promise<NpmGraph> {
  const [right100, right110, left, util] = await Promise.all([
    packNpmPackage({ name: 'e2e-right', version: '1.0.0' }),
    packNpmPackage({ name: 'e2e-right', version: '1.1.0' }),
    packNpmPackage({ name: 'e2e-left', version: '1.0.0', dependencies: { 'e2e-right': '^1.1.0' } }),
    packNpmPackage({ name: '@e2e/util', version: '1.0.0', dependencies: { 'e2e-left': '^1.0.0' } }),
  ])
  return { right100: right100!, right110: right110!, left: left!, util: util!, all: [right100!, right110!, left!, util!] }
}

/** Writes a package.json depending on `dependencies` into `dir`. */
export async function writeProject(dir: string, dependencies: Record<string, string> = GRAPH_DEPENDENCIES): Promise<string> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ name: 'e2e-app', version: '1.0.0', private: true, dependencies }, null, 2)}\n`)
  return dir
}

export interface InstalledPackage {
  dir: string
  manifest: Record<string, unknown> & { name: string; version: string }
  /** The package's index.js, which the fixture packer fills with its name and version. */
  index: string
}

/**
 * Finds `chain[last]` as Node would from `chain[0]` in `projectDir`, following symlinks, so the
 * same check works for npm's and yarn's hoisted trees and pnpm's symlinked store.
 */
export async function resolveInstalled(projectDir: string, chain: readonly string[]): Promise<InstalledPackage> {
  let from = projectDir
  let found: string | undefined
  for (const name of chain) {
    found = undefined
    for (let dir = from; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name)
      if (existsSync(join(candidate, 'package.json'))) {
        found = await realpath(candidate)
        break
      }
      if (dirname(dir) === dir) throw new Error(`${chain.join(' > ')}: ${name} is not installed (looked up from ${from})`)
    }
    from = found
  }
  const dir = found!
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
  const index = existsSync(join(dir, 'index.js')) ? await readFile(join(dir, 'index.js'), 'utf8') : ''
  return { dir, manifest, index }
}

/** name@version of each package in the graph as installed, keyed by the path a require would take. */
export async function installedGraph(projectDir: string): Promise<Record<string, string>> {
  const chains = [['@e2e/util'], ['@e2e/util', 'e2e-left'], ['@e2e/util', 'e2e-left', 'e2e-right'], ['e2e-right']]
  const out: Record<string, string> = {}
  for (const chain of chains) {
    const pkg = await resolveInstalled(projectDir, chain)
    const expectedIndex = `module.exports = ${JSON.stringify({ name: pkg.manifest.name, version: pkg.manifest.version })}\n`
    // The bytes came out of the right tarball, not just a package.json that claims so.
    const content = pkg.index === expectedIndex ? '' : ' (index.js differs from the packed one)'
    out[chain.join(' > ')] = `${pkg.manifest.name}@${pkg.manifest.version}${content}`
  }
  return out
}

export const EXPECTED_GRAPH = {
  '@e2e/util': '@e2e/util@1.0.0',
  '@e2e/util > e2e-left': 'e2e-left@1.0.0',
  '@e2e/util > e2e-left > e2e-right': 'e2e-right@1.1.0',
  'e2e-right': 'e2e-right@1.0.0',
}

/** The fixture paths an install of the graph downloads tarballs from. */
export function isTarballPath(path: string): boolean {
  return /\/-\/[^/]+\.tgz$/.test(path)
}
