/** Real python http.server (HTTP/1.0, a close after every answer) as the upstream of the APT and PyPI mirrors, with multi-MB files read by paused clients. */
import { get } from 'node:http'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildDeb,
  createAptArchive,
  createGpgKey,
  makeTempDir,
  startProcess,
  waitFor,
  type AptArchive,
  type BuiltDeb,
  type GpgKey,
  type PythonDist,
  type StartedProcess,
  type TempDir,
} from '@larder/testkit'
import { createPythonClients, describeRun, type PythonClients } from '../pypi/python-clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { bigDeb, bigWheel } from './big-payload.js'
import { FAULT_SUITE_ENV } from './fault-target.js'
import { describeOutcome, fetchOutcome, readWhilePaused } from './larder-fetch.js'
import { hasBlob, misnamedBlobs } from './store-blobs.js'

let root: TempDir
let key: GpgKey
let archive: AptArchive
let big: BuiltDeb
let small: BuiltDeb
let wheel: PythonDist
/** Installed by real pip, cold through Larder: the case that took the whole server down under undici 7. */
let pipWheel: PythonDist
let pythonClients: PythonClients
let python: StartedProcess
let upstream: string
let larder: LarderServer

beforeAll(async () => {
  root = await makeTempDir('larder-faults-python-root-')
  key = await createGpgKey()
  big = await bigDeb('py-big', '1.0')
  small = await buildDeb({ name: 'py-small', version: '1.0' })
  archive = await createAptArchive({ root: join(root.path, 'apt'), key })
  await archive.publish([big, small])
  // A PEP 503 tree as a static site: python serves simple/<name>/index.html for /simple/<name>/.
  wheel = bigWheel('py-big', '1.0')
  await mkdir(join(root.path, 'simple', wheel.name), { recursive: true })
  await mkdir(join(root.path, 'files'))
  await writeFile(join(root.path, 'files', wheel.filename), wheel.bytes)
  const link = `<a href="../../files/${wheel.filename}#sha256=${wheel.sha256}">${wheel.filename}</a>`
  await writeFile(join(root.path, 'simple', wheel.name, 'index.html'), `<!DOCTYPE html><html><body>${link}</body></html>\n`)
  pipWheel = bigWheel('py-pip', '1.0')
  await mkdir(join(root.path, 'simple', pipWheel.name), { recursive: true })
  await writeFile(join(root.path, 'files', pipWheel.filename), pipWheel.bytes)
  const pipLink = `<a href="../../files/${pipWheel.filename}#sha256=${pipWheel.sha256}">${pipWheel.filename}</a>`
  await writeFile(join(root.path, 'simple', pipWheel.name, 'index.html'), `<!DOCTYPE html><html><body>${pipLink}</body></html>\n`)
  pythonClients = await createPythonClients()
  python = await startProcess('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', root.path, '0'], {
    env: { PYTHONUNBUFFERED: '1' },
    readyLine: /Serving HTTP on \S+ port (\d+)/,
  })
  upstream = `http://127.0.0.1:${python.ready![1]}`
  larder = await startLarder({
    readyTimeoutMs: 120_000,
    env: {
      ...FAULT_SUITE_ENV,
      LARDER_APT_UPSTREAMS: `py=${upstream}/apt`,
      LARDER_APT_KEYRINGS: `py=${key.keyringPath}`,
      LARDER_PYPI_UPSTREAM: `${upstream}/simple`,
    },
  })
}, 300_000)

afterAll(async () => {
  await pythonClients?.cleanup()
  await larder?.stop()
  await python?.stop()
  await key?.cleanup()
  await root?.cleanup()
})

/** The HTTP version and Connection header python answers with. */
function upstreamFraming(path: string): Promise<{ version: string; connection: string | undefined; length: string | undefined }> {
  return new Promise((resolve, reject) => {
    get(`${upstream}${path}`, (res) => {
      res.resume()
      resolve({ version: res.httpVersion, connection: res.headers.connection, length: res.headers['content-length'] })
    }).on('error', reject)
  })
}

async function expectServed(path: string): Promise<Buffer> {
  const outcome = await fetchOutcome(`${larder.url}${path}`)
  expect(outcome.kind === 'complete' && outcome.status === 200, `${path}: ${describeOutcome(outcome)}\n${larder.output().slice(-3000)}`).toBe(true)
  return outcome.kind === 'complete' ? outcome.body : Buffer.alloc(0)
}

/** Reads `path` through Larder with the client paused until the artifact is stored, i.e. python has sent it all and closed. */
async function expectPausedRead(path: string, artifact: { sha256: string; bytes: Buffer }): Promise<void> {
  const storedWhilePaused = () =>
    waitFor(() => hasBlob(larder.dataDir, artifact.sha256), { timeoutMs: 30_000, description: 'the artifact stored while the client is paused' })
  const read = await readWhilePaused(`${larder.url}${path}`, storedWhilePaused)
  expect(read).toEqual({ status: 200, size: artifact.bytes.length, sha256: artifact.sha256 })
}

describe('python http.server as a raw upstream', () => {
  it('is really HTTP/1.0 with a close after each answer', async () => {
    expect(await upstreamFraming(`/apt/${archive.poolPath(big)}`)).toEqual({ version: '1.0', connection: undefined, length: String(big.bytes.length) })
  })

  it('APT: InRelease, Packages, a small .deb, and a multi-MB .deb read by a paused client, byte for byte', async () => {
    expect((await expectServed('/apt/py/dists/stable/InRelease')).equals(await archive.read('dists/stable/InRelease'))).toBe(true)
    await expectServed('/apt/py/dists/stable/main/binary-amd64/Packages')
    expect((await expectServed(`/apt/py/${archive.poolPath(small)}`)).equals(small.bytes)).toBe(true)
    await expectPausedRead(`/apt/py/${archive.poolPath(big)}`, big)
  })

  it('PyPI: the project page, and a multi-MB wheel read by a paused client, byte for byte', async () => {
    expect((await expectServed(`/pypi/simple/${wheel.name}/`)).toString()).toContain(wheel.filename)
    await expectPausedRead(`/pypi/files/${wheel.name}/${wheel.sha256}/${wheel.filename}`, wheel)
  })

  it('real pip installs a multi-MB wheel from it through Larder, cold, with its hash checked', async () => {
    const requirements = await pythonClients.writeFile('requirements.txt', `py-pip==1.0 --hash=sha256:${pipWheel.sha256}\n`)
    const install = await pythonClients.pip(['install', '--index-url', `${larder.url}/pypi/simple/`, '--require-hashes', '-r', requirements])
    expect(install.code, `${describeRun(install)}\n${larder.output().slice(-3000)}`).toBe(0)
    const imported = await pythonClients.python(['-c', 'import py_pip; print(py_pip.VERSION)'])
    expect(imported.stdout.trim()).toBe('1.0')
    expect(await hasBlob(larder.dataDir, pipWheel.sha256)).toBe(true)
  })

  it('leaves the process alive, serving, and its store sound', async () => {
    await expectServed('/healthz')
    expect(await misnamedBlobs(larder.dataDir)).toEqual([])
    expect(larder.output()).not.toMatch(/uncaught exception/)
    expect((await expectServed(`/apt/py/${archive.poolPath(big)}`)).equals(big.bytes)).toBe(true)
  })
})
