/** podman (rootful, vfs storage, its own root) through Larder's OCI registry: pulls by name, by digest and as the registries.conf mirror the README documents, and a push of its own. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, run, startRegistryFixture, type OciLayout, type RegistryFixture, type TempDir } from '@larder/testkit'
import { UPSTREAM, buildAndPush, startOciLarder, type OciLarder } from './oci-larder.js'

let work: TempDir
let registry: RegistryFixture
let larder: OciLarder
let image: OciLayout
const TOKEN = 'podman-push-token-1'

/** podman with a store of its own and the given registries.conf, so nothing on the machine is touched. */
async function podman(args: string[], registriesConf: string) {
  const store = ['--root', join(work.path, 'root'), '--runroot', join(work.path, 'run'), '--storage-driver', 'vfs']
  return run('podman', [...store, ...args], { env: { CONTAINERS_REGISTRIES_CONF: registriesConf }, timeoutMs: 120_000 })
}

async function registriesConf(name: string, text: string): Promise<string> {
  const path = join(work.path, name)
  await writeFile(path, text)
  return path
}

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-podman-')
  registry = await startRegistryFixture()
  image = await buildAndPush(registry, work.path, 'team/podman', 'v1', [{ files: { 'hello.txt': 'hello from podman\n' } }])
  larder = await startOciLarder(registry, { env: { LARDER_TOKENS: `ci=${TOKEN}:oci` } })
}, 300_000)

afterAll(async () => {
  await larder?.stop()
  await registry?.cleanup()
  await work?.cleanup()
})

describe('podman through the Larder OCI mirror', () => {
  it('pulls <larder>/<upstream>/<repo>:<tag> and by digest, getting the digest the registry has', async () => {
    const conf = await registriesConf('direct.conf', `[[registry]]\nlocation = "${larder.host}"\ninsecure = true\n`)
    const pulled = await podman(['pull', `${larder.host}/${UPSTREAM}/team/podman:v1`], conf)
    expect(pulled.code, `${pulled.stdout}${pulled.stderr}\n${larder.output()}`).toBe(0)
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${larder.host}/${UPSTREAM}/team/podman:v1`], conf)
    expect(inspect.stdout.trim()).toBe(image.top.digest)
    const byDigest = await podman(['pull', `${larder.host}/${UPSTREAM}/team/podman@${image.top.digest}`], conf)
    expect(byDigest.code, byDigest.stderr).toBe(0)
  })

  it('uses Larder as the mirror of a registry in registries.conf, the upstream never asked by podman itself', async () => {
    // The registry's own address is one nothing listens on: only the mirror can answer.
    const conf = await registriesConf(
      'mirror.conf',
      [
        '[[registry]]',
        'prefix = "registry.example.test"',
        'location = "registry.example.test"',
        '[[registry.mirror]]',
        `location = "${larder.host}/${UPSTREAM}"`,
        'insecure = true',
        '',
      ].join('\n'),
    )
    const pulled = await podman(['pull', 'registry.example.test/team/podman:v1'], conf)
    expect(pulled.code, `${pulled.stdout}${pulled.stderr}\n${larder.output()}`).toBe(0)
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', 'registry.example.test/team/podman:v1'], conf)
    expect(inspect.stdout.trim()).toBe(image.top.digest)
  })

  it('pushes a pulled image into the hosted namespace with the token as password, and pulls it back', async () => {
    const conf = await registriesConf('direct.conf', `[[registry]]\nlocation = "${larder.host}"\ninsecure = true\n`)
    const source = `${larder.host}/${UPSTREAM}/team/podman:v1`
    const target = `${larder.host}/local/team/podman:v1`
    expect((await podman(['pull', source], conf)).code).toBe(0)
    expect((await podman(['tag', source, target], conf)).code).toBe(0)
    const refused = await podman(['push', target], conf)
    expect(refused.code).not.toBe(0)
    const pushed = await podman(['push', '--creds', `ci:${TOKEN}`, target], conf)
    expect(pushed.code, `${pushed.stdout}${pushed.stderr}\n${larder.output()}`).toBe(0)
    expect((await podman(['rmi', target, source], conf)).code).toBe(0)
    const back = await podman(['pull', target], conf)
    expect(back.code, back.stderr).toBe(0)
  })
})
