/** Builds real .gem files with the real `gem build`, so fixtures serve exactly what rubygems.org would. */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { prepareIsolatedRubyEnv } from './ruby-env.js'

export const DEFAULT_GEM_BUILD_TIMEOUT_MS = 120_000
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
const VERSION_PATTERN = /^\d+(?:\.[0-9A-Za-z]+)*$/

export interface GemSpecInput {
  name: string
  version: string
  /** Runtime dependencies: name -> requirements, e.g. { 'demo-base': ['~> 1.0'] }. */
  dependencies?: Record<string, string[]>
  requiredRubyVersion?: string
  summary?: string
  /** Extra files under lib/ (relative path -> content). */
  files?: Record<string, string>
}

export interface BuiltGem {
  name: string
  version: string
  platform: 'ruby'
  /** `demo-1.0.0.gem` */
  filename: string
  bytes: Buffer
  /** sha256 hex of the .gem, as /info lists it. */
  sha256: string
  dependencies: Record<string, string[]>
  requiredRubyVersion: string | undefined
  /** `Gem.deflate(Marshal.dump(spec))`: the /quick/Marshal.4.8/<name>-<version>.gemspec.rz body. */
  quickSpec: Buffer
}

const QUICK_SPEC_SCRIPT = 'require "rubygems/package"; spec = Gem::Package.new(ARGV[0]).spec; File.binwrite(ARGV[1], Gem.deflate(Marshal.dump(spec)))'

export async function buildGem(input: GemSpecInput): Promise<BuiltGem> {
  const { name, version } = input
  if (!NAME_PATTERN.test(name)) throw new TypeError(`name must be a valid gem name, got ${JSON.stringify(name)}`)
  if (!VERSION_PATTERN.test(version)) throw new TypeError(`version must be a gem version, got ${JSON.stringify(version)}`)
  const dependencies = input.dependencies ?? {}
  const work = await makeTempDir('larder-gem-build-')
  try {
    const source = join(work.path, 'src')
    await mkdir(join(source, 'lib'), { recursive: true })
    const files: Record<string, string> = { [`${name}.rb`]: `module ${constantName(name)}; VERSION = ${JSON.stringify(version)}; end\n`, ...input.files }
    for (const [relative, content] of Object.entries(files)) {
      if (relative.includes('..') || relative.startsWith('/')) throw new TypeError(`files keys must stay inside lib/, got ${relative}`)
      await writeFile(join(source, 'lib', relative), content)
    }
    await writeFile(join(source, `${name}.gemspec`), gemspecSource(input, Object.keys(files)))
    const env = await prepareIsolatedRubyEnv(join(work.path, 'ruby'), { SOURCE_DATE_EPOCH: '1700000000' })
    const built = await run('gem', ['build', `${name}.gemspec`], { cwd: source, env, timeoutMs: DEFAULT_GEM_BUILD_TIMEOUT_MS })
    if (built.code !== 0) throw new Error(`gem build failed for ${name}-${version} (exit ${built.code}):\n${built.stdout}\n${built.stderr}`)
    const filename = `${name}-${version}.gem`
    const bytes = await readFile(join(source, filename))
    const quickPath = join(work.path, 'quick.rz')
    const quick = await run('ruby', ['-e', QUICK_SPEC_SCRIPT, join(source, filename), quickPath], { env, timeoutMs: DEFAULT_GEM_BUILD_TIMEOUT_MS })
    if (quick.code !== 0) throw new Error(`writing the quick spec of ${filename} failed:\n${quick.stderr}`)
    return {
      name,
      version,
      platform: 'ruby',
      filename,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      dependencies,
      requiredRubyVersion: input.requiredRubyVersion,
      quickSpec: await readFile(quickPath),
    }
  } finally {
    await work.cleanup()
  }
}

function constantName(name: string): string {
  return (
    name
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .map((part) => part[0]!.toUpperCase() + part.slice(1))
      .join('') || 'Gem'
  )
}

function gemspecSource(input: GemSpecInput, files: string[]): string {
  const lines = [
    'Gem::Specification.new do |s|',
    `  s.name = ${JSON.stringify(input.name)}`,
    `  s.version = ${JSON.stringify(input.version)}`,
    `  s.summary = ${JSON.stringify(input.summary ?? `${input.name} for Larder tests`)}`,
    '  s.authors = ["Larder tests"]',
    '  s.license = "MIT"',
    `  s.files = ${JSON.stringify(files.map((f) => `lib/${f}`))}`,
  ]
  if (input.requiredRubyVersion) lines.push(`  s.required_ruby_version = ${JSON.stringify(input.requiredRubyVersion)}`)
  for (const [dep, requirements] of Object.entries(input.dependencies ?? {})) {
    lines.push(`  s.add_runtime_dependency ${JSON.stringify(dep)}, ${requirements.map((r) => JSON.stringify(r)).join(', ')}`)
  }
  lines.push('end', '')
  return lines.join('\n')
}
