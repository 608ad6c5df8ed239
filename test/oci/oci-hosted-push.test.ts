/** skopeo pushes images into Larder's hosted namespace with a token, pulls them back by tag, by digest and per platform, and deletes them; without the token the push fails. */
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildOciLayout, describeSkopeo, makeTempDir, type OciLayout, type TempDir } from '@larder/testkit'
import { failedPull, inspectDigest, pullThrough, type OciLarder } from './oci-larder.js'
import { deleteFromLarder, pushToLarder, startHostedLarder } from './oci-hosted-larder.js'

let work: TempDir
let larder: OciLarder
let single: OciLayout
let multi: OciLayout
let outs = 0
const out = () => join(work.path, `out-${++outs}`)

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-oci-hosted-')
  single = await buildOciLayout(join(work.path, 'single'), '1.0', [{ files: { 'hello.txt': 'hello from a hosted image\n' } }])
  multi = await buildOciLayout(join(work.path, 'multi'), '1.0', [
    { platform: { os: 'linux', architecture: 'amd64' }, files: { 'arch.txt': 'amd64\n' } },
    { platform: { os: 'linux', architecture: 'arm64' }, files: { 'arch.txt': 'arm64\n' } },
  ])
  larder = await startHostedLarder()
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await work?.cleanup()
})

describe('skopeo and hosted images', () => {
  it('refuses a push without the token with 401, leaving nothing pushed', async () => {
    const refused = await pushToLarder(larder, single, 'local/team/app:1.0', '')
    expect(refused.code, describeSkopeo(refused)).not.toBe(0)
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/unauthorized|401/i)
    expect((await larder.requests()).some((line) => line.method === 'POST' && line.status === 401)).toBe(true)
    expect((await fetch(`${larder.url}/v2/local/team/app/tags/list`)).status).toBe(404)
  })

  it('pushes with the token, and pulls the image back by tag and by digest with the same digests', async () => {
    const pushed = await pushToLarder(larder, single, 'local/team/app:1.0')
    expect(pushed.code, `${describeSkopeo(pushed)}\n${larder.output()}`).toBe(0)
    expect(await inspectDigest(larder, 'local/team/app:1.0')).toBe(single.top.digest)
    expect(await pullThrough(larder, 'local/team/app:1.0', out())).toBe(single.top.digest)
    expect(await pullThrough(larder, `local/team/app@${single.top.digest}`, out())).toBe(single.top.digest)
    const tags = (await (await fetch(`${larder.url}/v2/local/team/app/tags/list`)).json()) as { tags: string[] }
    expect(tags.tags).toEqual(['1.0'])
    expect((await larder.requests()).filter((line) => line.path.includes('/local/')).every((line) => line.cache !== 'MISS')).toBe(true)
  })

  it('pushes a two-platform index and pulls each platform by tag and by digest', async () => {
    const pushed = await pushToLarder(larder, multi, 'local/team/multi:1.0')
    expect(pushed.code, `${describeSkopeo(pushed)}\n${larder.output()}`).toBe(0)
    expect(await inspectDigest(larder, 'local/team/multi:1.0')).toBe(multi.top.digest)
    for (const [i, arch] of ['amd64', 'arm64'].entries()) {
      const digest = multi.images[i]!.manifest.digest
      expect(await pullThrough(larder, 'local/team/multi:1.0', out(), { arch })).toBe(digest)
      expect(await pullThrough(larder, `local/team/multi@${digest}`, out())).toBe(digest)
    }
    const index = await fetch(`${larder.url}/v2/local/team/multi/manifests/1.0`)
    expect(index.headers.get('content-type')).toBe('application/vnd.oci.image.index.v1+json')
    expect(index.headers.get('docker-content-digest')).toBe(multi.top.digest)
  })

  it('deletes a manifest by digest with skopeo delete; the tag goes with it', async () => {
    const deleted = await deleteFromLarder(larder, `local/team/app@${single.top.digest}`)
    expect(deleted.code, `${describeSkopeo(deleted)}\n${larder.output()}`).toBe(0)
    expect((await fetch(`${larder.url}/v2/local/team/app/manifests/${single.top.digest}`)).status).toBe(404)
    expect(await failedPull(larder, 'local/team/app:1.0', out())).toMatch(/manifest unknown/)
    expect(((await (await fetch(`${larder.url}/v2/local/team/app/tags/list`)).json()) as { tags: string[] }).tags).toEqual([])
  })
})
