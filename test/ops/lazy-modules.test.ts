/** A server on the filesystem store never loads the S3 SDK, the PostgreSQL driver or the yarn.lock parser: together they are megabytes of RSS nobody asked for. */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeTempDir } from '@larder/testkit'
import { expect, it } from 'vitest'
import { startLarder } from '../support/larder-process.js'

const PROBE = fileURLToPath(new URL('../support/loaded-modules-probe.mjs', import.meta.url))

it('serves from the filesystem store without loading @aws-sdk, pg or @yarnpkg/parsers', async () => {
  const out = await makeTempDir('larder-e2e-modules-')
  const listFile = join(out.path, 'loaded.txt')
  // The upstream is a closed port: the request still goes through routing, the stores and the upstream client.
  const larder = await startLarder({ nodeArgs: ['--import', PROBE], env: { LARDER_PROBE_OUT: listFile, LARDER_NPM_UPSTREAM: 'http://127.0.0.1:9' } })
  try {
    expect((await fetch(`${larder.url}/readyz`)).status).toBe(200)
    const packument = await fetch(`${larder.url}/npm/left-pad`)
    expect(packument.status).toBeGreaterThanOrEqual(500)
    await larder.stop()
    const loaded = (await readFile(listFile, 'utf8')).split('\n')
    // The probe saw the server's own modules load: an empty list would pass anything.
    expect(loaded.some((url) => url.includes('/node_modules/hono/'))).toBe(true)
    expect(loaded.filter((url) => /\/node_modules\/(@aws-sdk|@smithy|pg|pg-pool|@yarnpkg\/parsers)\//.test(url))).toEqual([])
  } finally {
    await larder.stop()
    await out.cleanup()
  }
})
