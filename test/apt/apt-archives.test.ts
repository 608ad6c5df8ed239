/** Several upstream archives side by side under their own names, one of them over https, in one apt-get run over plain http. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aptKeyringsEnv,
  buildDeb,
  createAptSandbox,
  describeAptRun,
  makeTempDir,
  startAptUpstreamFixture,
  type AptUpstreamFixture,
  type BuiltDeb,
  type TempDir,
} from '@larder/testkit'
import { startAptLarder, type AptLarder } from './apt-larder.js'
import { startTlsFront, type TlsFront } from './tls-front.js'

let plainDeb: BuiltDeb
let secureDeb: BuiltDeb
let plain: AptUpstreamFixture
let secure: AptUpstreamFixture
let front: TlsFront
let data: TempDir
let larder: AptLarder

beforeAll(async () => {
  plainDeb = await buildDeb({ name: 'from-plain', version: '1.0' })
  secureDeb = await buildDeb({ name: 'from-secure', version: '1.0', depends: 'from-plain' })
  plain = await startAptUpstreamFixture({ debs: [plainDeb] })
  secure = await startAptUpstreamFixture({ debs: [secureDeb], suite: 'trixie' })
  front = await startTlsFront(secure.url)
  data = await makeTempDir('larder-e2e-apt-archives-')
  larder = await startAptLarder(data.path, {
    LARDER_APT_UPSTREAMS: `plain=${plain.url},vendor=${front.url}`,
    ...aptKeyringsEnv({ plain: plain.key, vendor: secure.key }),
    NODE_EXTRA_CA_CERTS: front.certPath,
  })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await front?.stop()
  await plain?.stop()
  await secure?.stop()
  await data?.cleanup()
})

describe('several APT archives through one Larder', () => {
  it('mirrors an http and an https archive, each under its name and with its own key', async () => {
    const apt = await createAptSandbox([
      { url: `${larder.apt}/plain`, suite: 'stable', signedBy: plain.key.keyringPath },
      { url: `${larder.apt}/vendor`, suite: 'trixie', signedBy: secure.key.keyringPath },
    ])
    try {
      const update = await apt.update()
      expect(update.code, `${describeAptRun(update)}\n${larder.output()}`).toBe(0)
      expect(`${update.stdout}${update.stderr}`).not.toMatch(/W: |E: /)
      const install = await apt.downloadWithDependencies(['from-secure'])
      expect(install.code, `${describeAptRun(install)}\n${larder.output()}`).toBe(0)
      expect(await apt.downloaded()).toEqual([plainDeb.filename, secureDeb.filename])
      expect(secure.hitCount(`/${secure.archive.poolPath(secureDeb)}`)).toBe(1)
    } finally {
      await apt.cleanup()
    }
  })
})
