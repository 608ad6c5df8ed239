/**
 * The rebuild guarantee for poetry.lock, Pipfile.lock, uv.lock and pylock.toml: the real Poetry and Pipenv
 * (Debian's) lock through Larder A against the fixture index; uv.lock and pylock.toml, whose writers do not
 * install here, are written as uv and `pip lock` write them. `larder prefetch` fills a fresh store, `verify`
 * passes, and Poetry, Pipenv and pip install the same pins from an offline Larder on that store.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { normalizeProjectName, run, type PythonDist } from '@larder/testkit'
import { CLIENT_TIMEOUT_MS, describeRun } from '../pypi/python-clients.js'
import { describeCli, larderCli, NO_UPSTREAM, parseReport } from './larder-cli.js'
import { indexUrl, startPypiFamily, type PypiFamily } from './pypi-family.js'
import { startOfflineLarder } from './store-larders.js'

const POETRY = process.env.LARDER_TEST_POETRY ?? 'poetry'
const PIPENV = process.env.LARDER_TEST_PIPENV ?? 'pipenv'
/** Debian's python3, which its poetry and pipenv run on (not a pyenv shim earlier on PATH). */
const DEBIAN_PYTHON = '/usr/bin/python3'

let py: PypiFamily
// The family's parts, under the names the tests below use.
let lib: PypiFamily['lib'], app: PypiFamily['app'], upstream: PypiFamily['upstream'], larderA: PypiFamily['larderA'], clients: PypiFamily['clients']
let work: PypiFamily['work'], upstreamEnv: PypiFamily['upstreamEnv']
const lockfiles: Record<'poetry' | 'pipenv' | 'uv' | 'pylock', string> = { poetry: '', pipenv: '', uv: '', pylock: '' }
let prefetched: string
let generation = 0

const fileUrl = (dist: PythonDist) => `${larderA.url}/pypi/files/${normalizeProjectName(dist.name)}/${dist.sha256}/${dist.filename}`

/** What could point a client at another index, environment or cache than the test's (their defaults are under HOME). */
const UNSET = `PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_NO_INDEX PIP_REQUIRE_VIRTUALENV VIRTUAL_ENV PIPENV_PYPI_MIRROR PIPENV_CACHE_DIR
  POETRY_CONFIG_DIR POETRY_CACHE_DIR POETRY_DATA_DIR XDG_CONFIG_HOME XDG_CACHE_HOME XDG_DATA_HOME`.split(/\s+/)
/** Virtualenvs in the project (so each install starts empty), no prompts, no spinner, no .env. */
const FLAGS = `POETRY_VIRTUALENVS_IN_PROJECT POETRY_NO_INTERACTION PIPENV_VENV_IN_PROJECT PIPENV_IGNORE_VIRTUALENVS
  PIPENV_DONT_LOAD_ENV PIPENV_YES PIPENV_NOSPIN`.split(/\s+/)

/** Poetry or Pipenv isolated from the machine: a fresh home (so fresh caches), virtualenvs in the project, no pip config. */
async function client(command: string, args: string[], cwd: string) {
  const home = await work.dir(`home-${++generation}`)
  const env = {
    ...Object.fromEntries(UNSET.map((name) => [name, undefined])),
    HOME: home,
    LANG: 'C.UTF-8',
    PATH: '/usr/bin:/bin',
    PIP_CONFIG_FILE: '/dev/null',
    PYTHONDONTWRITEBYTECODE: '1',
    // Poetry asks the desktop keyring for index credentials; where a D-Bus session answers but cannot unlock
    // (a CI host), that fails the lock with "Failed to unlock the item!". The index needs no credentials.
    PYTHON_KEYRING_BACKEND: 'keyring.backends.null.Keyring',
    ...Object.fromEntries(FLAGS.map((name) => [name, '1'])),
  }
  const result = await run(command, args, { cwd, env, timeoutMs: CLIENT_TIMEOUT_MS })
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')}: ${describeRun(result)}`)
  return result
}

/** A project naming Larder A as its only index, for Poetry (pyproject.toml) or Pipenv (Pipfile), with its lockfile when given. */
async function writeProject(kind: 'poetry' | 'pipenv', into: string, lock?: string) {
  const path = await work.dir(into)
  const index = indexUrl(larderA)
  const poetry =
    `[tool.poetry]\nname = "rebuild-demo"\nversion = "0.1.0"\ndescription = ""\nauthors = ["Larder <larder@example.invalid>"]\n\n` +
    `[tool.poetry.dependencies]\npython = "^3.9"\ne2e-app = "1.0"\n\n[[tool.poetry.source]]\nname = "larder"\nurl = "${index}"\ndefault = true\n`
  const pipenv = `[[source]]\nurl = "${index}"\nverify_ssl = false\nname = "larder"\n\n[packages]\ne2e-app = "==1.0"\n`
  await writeFile(join(path, kind === 'poetry' ? 'pyproject.toml' : 'Pipfile'), kind === 'poetry' ? poetry : pipenv)
  if (lock) await writeFile(join(path, kind === 'poetry' ? 'poetry.lock' : 'Pipfile.lock'), lock)
  return path
}

beforeAll(async () => {
  py = await startPypiFamily('larder-e2e-rebuild-python-locks-')
  ;({ lib, app, upstream, larderA, clients, work, upstreamEnv } = py)
  const poetry = await writeProject('poetry', 'poetry')
  await client(POETRY, ['lock'], poetry)
  lockfiles.poetry = join(poetry, 'poetry.lock')
  const pipenv = await writeProject('pipenv', 'pipenv')
  await client(PIPENV, ['lock', '--python', DEBIAN_PYTHON], pipenv)
  lockfiles.pipenv = join(pipenv, 'Pipfile.lock')
  // uv lists every file of a release it resolved (sdist and wheels); `pip lock` records the one wheel it picked.
  const registry = `{ registry = "${larderA.url}/pypi/simple" }`
  const uvFile = (dist: PythonDist) => `{ url = "${fileUrl(dist)}", hash = "sha256:${dist.sha256}", size = ${dist.bytes.length} }`
  lockfiles.uv = await clients.writeFile(
    'uv.lock',
    `version = 1\nrevision = 2\nrequires-python = ">=3.9"\n\n[[package]]\nname = "rebuild-demo"\nversion = "0.1.0"\nsource = { virtual = "." }\n` +
      `dependencies = [{ name = "e2e-app" }]\n\n[[package]]\nname = "e2e-app"\nversion = "1.0"\nsource = ${registry}\ndependencies = [{ name = "e2e-lib" }]\n` +
      `wheels = [${uvFile(app)}]\n\n[[package]]\nname = "e2e-lib"\nversion = "1.0"\nsource = ${registry}\nsdist = ${uvFile(lib.sdist)}\nwheels = [${uvFile(lib.wheel)}]\n`,
  )
  const pylockPackage = (dist: PythonDist) =>
    `[[packages]]\nname = "${normalizeProjectName(dist.name)}"\nversion = "${dist.version}"\nindex = "${larderA.url}/pypi/simple"\n\n` +
    `[[packages.wheels]]\nname = "${dist.filename}"\nurl = "${fileUrl(dist)}"\nsize = ${dist.bytes.length}\n\n[packages.wheels.hashes]\nsha256 = "${dist.sha256}"\n`
  lockfiles.pylock = await clients.writeFile('pylock.toml', `lock-version = "1.0"\ncreated-by = "pip"\n\n${pylockPackage(app)}\n${pylockPackage(lib.wheel)}`)
  prefetched = await work.dir('store-prefetched')
})

afterAll(() => py?.stop())

describe('larder prefetch and verify of poetry.lock, Pipfile.lock, uv.lock and pylock.toml', () => {
  it('Poetry and Pipenv locked both pins through Larder, with the hashes of every file of the release', async () => {
    const poetry = await readFile(lockfiles.poetry, 'utf8')
    expect(poetry).toMatch(/@generated by Poetry/)
    expect(poetry).toContain(`{file = "${lib.sdist.filename}", hash = "sha256:${lib.sdist.sha256}"}`)
    const pipenv = JSON.parse(await readFile(lockfiles.pipenv, 'utf8'))
    expect(pipenv.default['e2e-lib']).toMatchObject({ version: '==1.0', hashes: [lib.wheel.sha256, lib.sdist.sha256].sort().map((h) => `sha256:${h}`) })
  })

  it('prefetch holds every pin of the four in a fresh store, only the files each names; verify then passes with no upstream', async () => {
    const all = [lockfiles.poetry, lockfiles.pipenv, lockfiles.uv, lockfiles.pylock]
    const prefetch = await larderCli(['prefetch', ...all], prefetched, upstreamEnv)
    expect(prefetch.code, describeCli(prefetch)).toBe(0)
    expect(prefetch.stdout).toMatch(/all 8 packages held and verified/)
    expect(upstream.files.hitCount('/files/e2e_lib-1.1-py3-none-any.whl')).toBe(0)

    const verify = await larderCli(['verify', '--json', ...all], prefetched, { LARDER_PYPI_UPSTREAM: `${NO_UPSTREAM}/simple` })
    expect(verify.code, describeCli(verify)).toBe(0)
    const files = parseReport(verify).lockfiles.map((lockfile) => {
      const pkg = lockfile.packages.find((p) => p.name === 'e2e-lib')!
      return [lockfile.path.split('/').pop(), pkg.files.map((f) => f.path.split('/').pop()).sort(), pkg.files.map((f) => f.verified)]
    })
    // Poetry and uv list the sdist too; pipenv hashes both; the pylock.toml names the wheel alone.
    expect(files).toEqual([
      ['poetry.lock', [lib.wheel.filename, lib.sdist.filename], [['sha256'], ['sha256']]],
      ['Pipfile.lock', [lib.wheel.filename, lib.sdist.filename], [['sha256'], ['sha256']]],
      ['uv.lock', [lib.wheel.filename, lib.sdist.filename], [['sha256'], ['sha256']]],
      ['pylock.toml', [lib.wheel.filename], [['sha256']]],
    ])
  })

  it('Poetry, Pipenv and pip install the pins from a Larder on the prefetched store with LARDER_OFFLINE=1', async () => {
    // Larder A's port, so the sources the lockfiles name reach the offline Larder.
    const offline = await startOfflineLarder(prefetched, 'LARDER_PYPI_UPSTREAM', { replacing: larderA, upstreamPath: '/simple' })
    try {
      const poetry = await writeProject('poetry', 'poetry-install', await readFile(lockfiles.poetry, 'utf8'))
      await client(POETRY, ['install', '--no-root'], poetry)
      const pipenv = await writeProject('pipenv', 'pipenv-install', await readFile(lockfiles.pipenv, 'utf8'))
      await client(PIPENV, ['sync', '--python', DEBIAN_PYTHON], pipenv)
      for (const project of [poetry, pipenv]) {
        const version = await run(join(project, '.venv/bin/python'), ['-c', 'import e2e_lib, e2e_app; print(e2e_lib.__version__)'])
        expect(version.stdout.trim(), describeRun(version)).toBe('1.0')
      }
      // pip reads no pylock.toml before 26: the same pins and hashes as a requirements file.
      const pins = [app, lib.wheel].map((dist) => `${normalizeProjectName(dist.name)}==${dist.version} --hash=sha256:${dist.sha256}`)
      const requirements = await clients.writeFile('requirements-from-pylock.txt', `${pins.join('\n')}\n`)
      const install = await clients.pip(['install', '--index-url', indexUrl(offline), '--require-hashes', '--only-binary=:all:', '-r', requirements])
      expect(install.code, describeRun(install) + offline.output()).toBe(0)
      const requests = await offline.requests()
      expect(requests.length > 0 && requests.every((r) => r.cache === 'OFFLINE' && r.status < 400), JSON.stringify(requests)).toBe(true)
    } finally {
      await offline.stop()
    }
  })

  it('a hash in poetry.lock that matches no upstream file fails prefetch, naming the package', async () => {
    const poetry = await readFile(lockfiles.poetry, 'utf8')
    const wrong = await clients.writeFile('poetry.lock', poetry.replace(`sha256:${lib.wheel.sha256}`, `sha256:${'0'.repeat(64)}`))
    const prefetch = await larderCli(['prefetch', wrong], await work.dir('store-wrong'), upstreamEnv)
    expect(prefetch.code, describeCli(prefetch)).toBe(1)
    expect(prefetch.stdout).toMatch(/pypi e2e-lib==1\.0 .*poetry\.lock.*\n {4}no file of e2e-lib 1\.0 on the index has sha256:0{64}/)
    expect(prefetch.stdout).toMatch(/1 of 2 packages are not held and verified/)
  })
})
