/** twine upload of a crafted wheel (security issue #11, finding 5): a zip-slip entry is refused with a 400 and nothing is listed. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPypiIndexFixture, writeZip, type PypiIndexFixture } from '@larder/testkit'
import { createPythonClients, describeRun, type PythonClients } from './python-clients.js'
import { startPypiServer, type PypiServer } from './pypi-process.js'

const TOKEN = 'pypi-e2e-unsafe-789'
const FILENAME = 'e2e_slip-1.0-py3-none-any.whl'
let upstream: PypiIndexFixture
let clients: PythonClients
let larder: PypiServer

beforeAll(async () => {
  upstream = await startPypiIndexFixture({ format: 'json', dists: [] })
  clients = await createPythonClients()
  larder = await startPypiServer({ env: { LARDER_PYPI_UPSTREAM: upstream.simpleUrl, LARDER_TOKENS: `ci=${TOKEN}:pypi` } })
})

afterAll(async () => {
  await larder?.stop()
  await upstream?.stop()
  await clients?.cleanup()
})

describe('twine upload of a crafted wheel', () => {
  it('is refused with a 400 naming the entry, and the project lists nothing', async () => {
    const wheel = writeZip([
      { name: 'e2e_slip/__init__.py', data: '' },
      { name: '../../../../usr/lib/python3/dist-packages/evil.pth', data: 'import os; os.system("id")\n' },
      { name: 'e2e_slip-1.0.dist-info/METADATA', data: 'Metadata-Version: 2.1\nName: e2e-slip\nVersion: 1.0\n' },
      { name: 'e2e_slip-1.0.dist-info/WHEEL', data: 'Wheel-Version: 1.0\nGenerator: crafted\nRoot-Is-Purelib: true\nTag: py3-none-any\n' },
      { name: 'e2e_slip-1.0.dist-info/RECORD', data: '' },
    ])
    const file = join(clients.root, FILENAME)
    await writeFile(file, wheel)
    const result = await clients.twine([
      'upload',
      '--non-interactive',
      '--disable-progress-bar',
      '--repository-url',
      larder.uploadUrl,
      '-u',
      '__token__',
      '-p',
      TOKEN,
      file,
    ])
    expect(result.code, describeRun(result)).not.toBe(0)
    expect(result.stdout + result.stderr).toMatch(/400/)
    expect(larder.output()).toMatch(/unsafe entry/)
    const page = await fetch(`${larder.indexUrl}e2e-slip/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })
    expect(page.status).toBe(404)
  })
})
