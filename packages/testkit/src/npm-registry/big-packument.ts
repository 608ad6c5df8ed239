/** Synthetic many-version packages, for tests and benchmarks that need a multi-MB packument. */
import { packNpmPackage, type PackedPackage } from '../npm-pack/npm-pack.js'

// Real packuments are big because every version repeats its dependency list; these mimic that.
export const BIG_PACKUMENT_DEPENDENCIES: Readonly<Record<string, string>> = {
  'fixture-ansi-styles': '^4.1.0',
  'fixture-chalk': '^4.1.2',
  'fixture-debug': '^4.3.4',
  'fixture-glob': '^10.3.10',
  'fixture-lru-cache': '^10.2.0',
  'fixture-minimatch': '^9.0.3',
  'fixture-semver': '^7.6.0',
  'fixture-supports-color': '^7.2.0',
}

export interface BigPackumentOptions {
  dependencies?: Record<string, string>
}

/**
 * Packs `name@1.0.0` once and returns `versionCount` versions (1.0.0, 1.0.1, ...) that all share
 * its tarball and digests, so only 1.0.0's tarball holds a matching package.json. A version costs
 * about 700 bytes of full packument: 5 000 versions make roughly 3.5 MB. Publish the result as
 * one batch (`registry.publish(versions)` or the `packages` option).
 */
export async function bigPackument(name: string, versionCount: number, options: BigPackumentOptions = {}): Promise<PackedPackage[]> {
  if (!Number.isInteger(versionCount) || versionCount < 1) throw new TypeError('versionCount must be a positive integer')
  const { dependencies = BIG_PACKUMENT_DEPENDENCIES } = options
  const base = await packNpmPackage({ name, version: '1.0.0', dependencies, description: `Synthetic package ${name}` })
  const basename = name.split('/').pop() as string
  return Array.from({ length: versionCount }, (_, i) => {
    const version = `1.0.${i}`
    return {
      ...base,
      version,
      filename: `${basename}-${version}.tgz`,
      manifest: { ...base.manifest, version, description: `Synthetic version ${version} of ${name}` },
    }
  })
}
