/** Uploads are all or nothing, and zips with unsafe entries are refused by the shared check (security issue #11, findings 2 and 5). */
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { writeZip } from '@larder/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_TOKEN, basicAuth, startComposerAppHarness, type ComposerAppHarness } from './composer-app.harness.js'
import { PRIVATE_DIST_PREFIX } from './private/private-repo.js'

let harness: ComposerAppHarness

beforeAll(async () => {
  harness = await startComposerAppHarness()
}, 60_000)

afterAll(async () => {
  await harness?.close()
})

const upload = (body: Buffer) =>
  harness.request('/composer/upload', { method: 'PUT', headers: { 'content-type': 'application/zip', authorization: basicAuth(TEST_TOKEN) }, body })

async function expectNothingStored(name: string, zip: Buffer) {
  const sha1 = createHash('sha1').update(zip).digest('hex')
  expect((await harness.request(`/composer/p2/${name}.json`)).status).toBe(404)
  expect(await harness.services.store.getEntry(`${PRIVATE_DIST_PREFIX}${name}:${sha1}`)).toBeUndefined()
  expect((await harness.request(`/composer/dists/${name}/1.0.0/${sha1}.zip`)).status).toBe(404)
  // The refused upload's spool file is gone too.
  expect((await readdir(harness.services.store.spoolDir)).filter((file) => file.startsWith('upload-'))).toEqual([])
}

describe('composer uploads', () => {
  it('refuses a composer.json nested 200,000 levels deep with a 400 naming the limit, and stores no dist', async () => {
    // Under the 1 MB composer.json limit, so that the depth limit is what refuses it.
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`
    const zip = writeZip([{ name: 'composer.json', data: `{"name":"team/deep","version":"1.0.0","extra":${deep}}` }])
    const res = await upload(zip)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/deeper than the limit of 64 levels/)
    await expectNothingStored('team/deep', zip)
  })

  it('refuses a symlink pointing out of the package with the shared check', async () => {
    const zip = writeZip([
      { name: 'composer.json', data: '{"name":"team/linked","version":"1.0.0"}' },
      { name: 'src/A.php', data: '../../../../etc/passwd', mode: 0o120777 },
    ])
    const res = await upload(zip)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/unsafe entry "src\/A.php": it links outside the package/)
    await expectNothingStored('team/linked', zip)
  })

  it('refuses a local header that names another file than the central directory', async () => {
    const zip = writeZip([
      { name: 'composer.json', data: '{"name":"team/twofaced","version":"1.0.0"}' },
      { name: 'src/A.php', localName: '../../A.php', data: '<?php' },
    ])
    const res = await upload(zip)
    expect(res.status).toBe(400)
    await expectNothingStored('team/twofaced', zip)
  })
})
