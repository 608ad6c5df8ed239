/** Builds the legacy Marshal index files (specs.4.8.gz and friends) with the real Ruby, as `gem generate_index` would. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'
import type { BuiltGem } from './gem-build.js'

export const LEGACY_SPEC_FILES = ['specs.4.8.gz', 'latest_specs.4.8.gz', 'prerelease_specs.4.8.gz'] as const
export type LegacySpecFile = (typeof LEGACY_SPEC_FILES)[number]

const SCRIPT = `
require "json"; require "rubygems"; require "zlib"
tuples = JSON.parse(STDIN.read).map { |n, v, p| [n, Gem::Version.new(v), p] }
release, pre = tuples.partition { |t| !t[1].prerelease? }
latest = release.group_by { |t| [t[0], t[2]] }.values.map { |ts| ts.max_by { |t| t[1] } }
{ "specs.4.8.gz" => release, "latest_specs.4.8.gz" => latest, "prerelease_specs.4.8.gz" => pre }.each do |file, list|
  Zlib::GzipWriter.open(File.join(ARGV[0], file)) { |gz| gz.write(Marshal.dump(list.sort_by { |t| [t[0], t[1]] })) }
end`

export async function buildLegacySpecs(gems: readonly BuiltGem[]): Promise<Record<LegacySpecFile, Buffer>> {
  const work = await makeTempDir('larder-gem-specs-')
  try {
    const input = JSON.stringify(gems.map((gem) => [gem.name, gem.version, gem.platform]))
    const result = await run('ruby', ['-e', SCRIPT, work.path], { input, env: { RUBYOPT: undefined } })
    if (result.code !== 0) throw new Error(`building the legacy specs failed:\n${result.stderr}`)
    const out = {} as Record<LegacySpecFile, Buffer>
    for (const file of LEGACY_SPEC_FILES) out[file] = await readFile(join(work.path, file))
    return out
  } finally {
    await work.cleanup()
  }
}
