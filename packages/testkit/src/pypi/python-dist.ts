/** Builds real wheels and sdists with python3 at test time, through the in-tree backend of python-backend.ts. */
import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../process/run.js'
import { makeTempDir } from '../temp/temp-dir.js'
import { PYTHON_BACKEND_SOURCE } from './python-backend.js'

export const DEFAULT_PYTHON = 'python3'
const NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/
const VERSION_PATTERN = /^\d+(\.\d+)*([a-z]+\d+)?$/

export interface PythonDistSpec {
  name: string
  version: string
  requiresPython?: string
  /** Requires-Dist lines, e.g. 'other-pkg>=1.0'. */
  requires?: string[]
  python?: string
  /** What METADATA and PKG-INFO claim instead of `name` and `version`: a mislabelled dist. */
  metadataName?: string
  metadataVersion?: string
  /** The sdist's archive format; default tar.gz. */
  sdistFormat?: 'tar.gz' | 'zip'
}

export interface PythonDist {
  name: string
  version: string
  kind: 'wheel' | 'sdist'
  filename: string
  bytes: Buffer
  /** Hex sha256 of `bytes`. */
  sha256: string
  /** The core metadata file (the wheel's METADATA, the sdist's PKG-INFO). */
  metadata: Buffer
  requiresPython?: string
}

/** Builds a py3-none-any wheel and an sdist of one project version. */
export async function buildPythonDists(spec: PythonDistSpec): Promise<{ wheel: PythonDist; sdist: PythonDist }> {
  if (!NAME_PATTERN.test(spec.name)) throw new TypeError(`name must be a valid project name, got ${JSON.stringify(spec.name)}`)
  if (!VERSION_PATTERN.test(spec.version)) throw new TypeError(`version must be a simple PEP 440 version, got ${JSON.stringify(spec.version)}`)
  for (const [option, value] of [
    ['metadataName', spec.metadataName],
    ['metadataVersion', spec.metadataVersion],
  ] as const) {
    if (value !== undefined && !/^[^\r\n]+$/.test(value)) throw new TypeError(`${option} must be one non-empty line, got ${JSON.stringify(value)}`)
  }
  const temp = await makeTempDir('larder-pydist-')
  try {
    const src = join(temp.path, 'src')
    const out = join(temp.path, 'out')
    await mkdir(src)
    await mkdir(out)
    await writeFile(join(src, 'larder_backend.py'), PYTHON_BACKEND_SOURCE)
    const cfg = {
      name: spec.name,
      version: spec.version,
      requires_python: spec.requiresPython,
      requires: spec.requires ?? [],
      ...(spec.metadataName !== undefined ? { metadata_name: spec.metadataName } : {}),
      ...(spec.metadataVersion !== undefined ? { metadata_version: spec.metadataVersion } : {}),
      ...(spec.sdistFormat === 'zip' ? { sdist_format: 'zip' } : {}),
    }
    await writeFile(join(src, 'larder_dist.json'), JSON.stringify(cfg))
    const script = 'import sys; sys.path.insert(0, "."); import larder_backend as b; print(b.build_wheel(sys.argv[1])); print(b.build_sdist(sys.argv[1]))'
    const result = await run(spec.python ?? DEFAULT_PYTHON, ['-c', script, out], { cwd: src, env: { PYTHONDONTWRITEBYTECODE: '1' } })
    if (result.code !== 0) throw new Error(`buildPythonDists: python failed (${result.code}):\n${result.stderr}`)
    const [wheelName, sdistName] = result.stdout.trim().split('\n')
    const metadata = Buffer.from(metadataText(spec))
    const load = async (kind: 'wheel' | 'sdist', filename: string): Promise<PythonDist> => {
      const bytes = await readFile(join(out, filename))
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      return { name: spec.name, version: spec.version, kind, filename, bytes, sha256, metadata, requiresPython: spec.requiresPython }
    }
    return { wheel: await load('wheel', wheelName!), sdist: await load('sdist', sdistName!) }
  } finally {
    await temp.cleanup()
  }
}

/** The same METADATA text the backend writes (kept in step with python-backend.ts). */
function metadataText(spec: PythonDistSpec): string {
  const lines = [
    'Metadata-Version: 2.1',
    `Name: ${spec.metadataName ?? spec.name}`,
    `Version: ${spec.metadataVersion ?? spec.version}`,
    'Summary: Larder test package',
  ]
  if (spec.requiresPython) lines.push(`Requires-Python: ${spec.requiresPython}`)
  for (const req of spec.requires ?? []) lines.push(`Requires-Dist: ${req}`)
  return lines.join('\n') + '\n'
}
