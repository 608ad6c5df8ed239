/** Debian's twine publishes to the mirror with a token; pip installs the private package, which shadows the public one. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildPythonDists, startPypiIndexFixture, type PypiIndexFixture, type PythonDist } from '@larder/testkit'
import { createPythonClients, describeRun, type PythonClients } from './python-clients.js'
import { startPypiServer, type PypiServer } from './pypi-process.js'

const TOKEN = 'pypi-e2e-token-456'
let own: { wheel: PythonDist; sdist: PythonDist }
let impostor: PythonDist
/** On the fixture index and not listed private: an upload of it must be refused. */
let publicOwn: PythonDist
let upstream: PypiIndexFixture
let clients: PythonClients
let larder: PypiServer
let files: string[]

beforeAll(async () => {
  own = await buildPythonDists({ name: 'e2e-private', version: '1.0' })
  impostor = (await buildPythonDists({ name: 'e2e-private', version: '9.9' })).wheel
  publicOwn = (await buildPythonDists({ name: 'e2e-public', version: '2.0' })).wheel
  const publicUpstream = (await buildPythonDists({ name: 'e2e-public', version: '1.0' })).wheel
  upstream = await startPypiIndexFixture({ format: 'json', dists: [impostor, publicUpstream] })
  clients = await createPythonClients()
  files = [join(clients.root, own.wheel.filename), join(clients.root, own.sdist.filename)]
  await writeFile(files[0]!, own.wheel.bytes)
  await writeFile(files[1]!, own.sdist.bytes)
  // The scenario is a private name with a public impostor upstream: only a listed name may shadow it.
  larder = await startPypiServer({
    env: { LARDER_PYPI_UPSTREAM: upstream.simpleUrl, LARDER_TOKENS: `ci=${TOKEN}:pypi`, LARDER_PYPI_PRIVATE_NAMES: 'e2e-private' },
  })
})

afterAll(async () => {
  await larder?.stop()
  await upstream?.stop()
  await clients?.cleanup()
})

const twineUpload = (user: string, password: string, paths = files) =>
  clients.twine([
    'upload',
    '--non-interactive',
    '--disable-progress-bar',
    '--verbose',
    '--repository-url',
    larder.uploadUrl,
    '-u',
    user,
    '-p',
    password,
    ...paths,
  ])

describe('twine upload', () => {
  it('is refused without a valid token', async () => {
    const result = await twineUpload('__token__', 'not-the-token')
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/401|403|Unauthorized|Forbidden/i)
    // Listed private: nothing is served for it until an upload, and the impostor upstream is never asked.
    const page = await fetch(`${larder.indexUrl}e2e-private/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    expect(page.status).toBe(404)
    expect(upstream.index.hitCount((p) => p.includes('e2e-private'))).toBe(0)
  })

  it('refuses a project the upstream index has and that is not listed private (409 naming LARDER_PYPI_PRIVATE_NAMES)', async () => {
    const path = join(clients.root, publicOwn.filename)
    await writeFile(path, publicOwn.bytes)
    const result = await twineUpload('__token__', TOKEN, [path])
    expect(result.code).not.toBe(0)
    // twine --verbose prints the answer's body, wrapped to the terminal and coloured.
    const output = (result.stdout + result.stderr).replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' ')
    expect(output).toMatch(/409 Conflict/)
    expect(output).toContain(`e2e-public exists on the upstream registry ${new URL(upstream.simpleUrl).origin}`)
    expect(output).toContain('LARDER_PYPI_PRIVATE_NAMES')
    const page = await fetch(`${larder.indexUrl}e2e-public/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    expect(page.headers.get('x-larder-cache')).not.toBe('PRIVATE')
    expect(((await page.json()) as { files: { filename: string }[] }).files.map((f) => f.filename)).not.toContain(publicOwn.filename)
  })

  it('publishes with a token; pip installs the private version, never the public impostor', async () => {
    const result = await twineUpload('__token__', TOKEN)
    expect(result.code, describeRun(result) + larder.output()).toBe(0)
    const install = await clients.pip(['install', '--index-url', larder.indexUrl, 'e2e-private'])
    expect(install.code, describeRun(install)).toBe(0)
    const version = await clients.python(['-c', 'import e2e_private; print(e2e_private.__version__)'])
    expect(version.stdout.trim()).toBe('1.0')
    expect(upstream.files.totalHits()).toBe(0)
  })

  it('refuses the same files a second time', async () => {
    const result = await twineUpload('__token__', TOKEN)
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/400/)
  })
})
