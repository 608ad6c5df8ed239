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
let upstream: PypiIndexFixture
let clients: PythonClients
let larder: PypiServer
let files: string[]

beforeAll(async () => {
  own = await buildPythonDists({ name: 'e2e-private', version: '1.0' })
  impostor = (await buildPythonDists({ name: 'e2e-private', version: '9.9' })).wheel
  upstream = await startPypiIndexFixture({ format: 'json', dists: [impostor] })
  clients = await createPythonClients()
  files = [join(clients.root, own.wheel.filename), join(clients.root, own.sdist.filename)]
  await writeFile(files[0]!, own.wheel.bytes)
  await writeFile(files[1]!, own.sdist.bytes)
  larder = await startPypiServer({ env: { LARDER_PYPI_UPSTREAM: upstream.simpleUrl, LARDER_TOKENS: `ci=${TOKEN}:pypi` } })
})

afterAll(async () => {
  await larder?.stop()
  await upstream?.stop()
  await clients?.cleanup()
})

const twineUpload = (user: string, password: string) =>
  clients.twine(['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', larder.uploadUrl, '-u', user, '-p', password, ...files])

describe('twine upload', () => {
  it('is refused without a valid token', async () => {
    const result = await twineUpload('__token__', 'not-the-token')
    expect(result.code).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/401|403|Unauthorized|Forbidden/i)
    const page = await fetch(`${larder.indexUrl}e2e-private/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    const listed = ((await page.json()) as { files: { filename: string }[] }).files.map((f) => f.filename)
    expect(listed).toEqual([impostor.filename])
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
