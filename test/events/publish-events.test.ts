/**
 * Publish events end to end: real npm, twine, gem, composer, curl and skopeo change what the all-in-one
 * server hosts; a signed webhook announces each change once, in order, GET /-/events lists the same,
 * and events a receiver missed while it was down arrive after Larder restarts on the same data dir.
 */
import { createHash, createHmac } from 'node:crypto'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildDeb,
  buildGem,
  buildOciLayout,
  buildPythonDists,
  describeSkopeo,
  makeTempDir,
  packNpmPackage,
  pushLayout,
  waitFor,
  type BuiltDeb,
  type BuiltGem,
  type OciLayout,
  type PackedPackage,
  type PythonDist,
  type TempDir,
} from '@larder/testkit'
import { createComposerClient, describeRun as describeComposer, type ComposerClient } from '../composer/composer-client.js'
import { curl, describeCurl } from '../files/curl.js'
import { createRubySandbox, describeRun as describeRuby, type RubySandbox } from '../gems/ruby-clients.js'
import { createPythonClients, describeRun as describePython, type PythonClients } from '../pypi/python-clients.js'
import { startAuthzUpstreams, type AuthzUpstreams } from '../security/authz-upstreams.js'
import { createClientSandbox, describeRun, type ClientSandbox } from '../support/clients.js'
import { startLarder, type LarderServer } from '../support/larder-process.js'
import { startWebhookReceiver, type ReceivedEvent, type WebhookReceiver } from './webhook-receiver.js'

const SECRET = 'e2e-webhook-secret-0123456789'
const TOKEN_NAME = 'ci'
const TOKEN = 'e2e-events-token-1'
const NPM_READER = 'e2e-events-npm-reader-1'
const LARDER_READY_MS = 120_000
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

let work: TempDir
let data: TempDir
let upstreams: AuthzUpstreams
let receiver: WebhookReceiver
let larder: LarderServer
let env: Record<string, string>
let npmClient: ClientSandbox
let python: PythonClients
let ruby: RubySandbox
let composer: ComposerClient

let npm10: PackedPackage
let npm11: PackedPackage
let dists: { wheel: PythonDist; sdist: PythonDist }
let gem: BuiltGem
let deb: BuiltDeb
let image: OciLayout

beforeAll(async () => {
  work = await makeTempDir('larder-e2e-events-')
  data = await makeTempDir('larder-e2e-events-data-')
  receiver = await startWebhookReceiver({ secret: SECRET })
  // The hosted names below are on no upstream: each first publish asks a fixture (a 404), never the internet.
  upstreams = await startAuthzUpstreams()
  ;[npm10, npm11, dists, gem, deb] = await Promise.all([
    packNpmPackage({ name: 'events-pkg', version: '1.0.0' }),
    packNpmPackage({ name: 'events-pkg', version: '1.1.0' }),
    buildPythonDists({ name: 'events-py', version: '1.0' }),
    buildGem({ name: 'events-gem', version: '0.1.0' }),
    buildDeb({ name: 'events-deb', version: '1.0' }),
  ])
  image = await buildOciLayout(join(work.path, 'image'), '1.0', [{ files: { 'hello.txt': 'hello from a published image\n' } }])
  ;[python, ruby, composer] = await Promise.all([createPythonClients(), createRubySandbox(), createComposerClient()])
  await composer.freshCache()
  env = {
    ...upstreams.env,
    LARDER_TOKENS: `${TOKEN_NAME}=${TOKEN}:*,reader=${NPM_READER}:npm`,
    LARDER_FILES_UPSTREAMS: 'none',
    LARDER_WEBHOOKS: receiver.url,
    LARDER_WEBHOOK_SECRET: SECRET,
    LARDER_WEBHOOK_RETRY_MAX_SECONDS: '1',
  }
  larder = await startLarder({ dataDir: data.path, env, readyTimeoutMs: LARDER_READY_MS })
  npmClient = await createClientSandbox({ registry: larder.npmRegistry, npmrc: [`//127.0.0.1:${larder.port}/npm/:_authToken=${TOKEN}`] })
})

afterAll(async () => {
  await larder?.stop()
  await receiver?.stop()
  await upstreams?.stop()
  for (const client of [npmClient, python, ruby, composer]) await client?.cleanup()
  await data?.cleanup()
  await work?.cleanup()
})

interface Expected {
  type: string
  ecosystem: string
  name: string
  version: string | null
  tag?: string
}
/** Every event the test has caused so far, in the order the changes were made. */
const expected: Expected[] = []

/** The next `count` events the receiver gets; each must have been delivered once and signed right. */
async function nextEvents(count: number, timeoutMs?: number): Promise<ReceivedEvent[]> {
  const from = expected.length
  const events = (await receiver.waitFor(from + count, timeoutMs)).slice(from, from + count)
  expect(receiver.problems()).toEqual([])
  for (const event of events) {
    expect(receiver.deliveries(event.id), `deliveries of ${event.id}`).toBe(1)
    expect(event.by).toBe(TOKEN_NAME)
  }
  return events
}

/** The one event the last change caused, checked against `want`. */
async function nextEvent(want: Expected, timeoutMs?: number): Promise<ReceivedEvent> {
  const [event] = await nextEvents(1, timeoutMs)
  expected.push(want)
  expect(event).toMatchObject({ ...want, by: TOKEN_NAME })
  if (want.tag === undefined) expect(event).not.toHaveProperty('tag')
  return event!
}

async function writeWork(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(work.path, name)
  await writeFile(path, bytes)
  return path
}

/** GET /-/events with a Bearer token, or with no Authorization at all when `token` is null. */
const listEvents = (query = '', token: string | null = TOKEN) =>
  fetch(`${larder.url}/-/events${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {})

/** Every event the token may see, paged through with `limit`. */
async function listAll(token: string, limit: number): Promise<ReceivedEvent[]> {
  const all: ReceivedEvent[] = []
  let since = ''
  for (let page = 0; page < 100; page++) {
    const response = await listEvents(`?limit=${limit}${since ? `&since=${since}` : ''}`, token)
    expect(response.status, await response.clone().text()).toBe(200)
    const body = (await response.json()) as { events: ReceivedEvent[]; next: string }
    expect(body.events.length).toBeLessThanOrEqual(limit)
    all.push(...body.events)
    if (body.events.length === 0) return all
    since = body.next
  }
  throw new Error('GET /-/events never ran out of pages')
}

const publishFile = (path: string, target: string) =>
  curl(work.path, ['--upload-file', path, '-H', `Authorization: Bearer ${TOKEN}`, `${larder.url}/files/${target}`])

/** A package directory zipped by the real `composer archive`. */
async function composerArchive(name: string, version: string): Promise<Buffer> {
  const dir = join(composer.root, `src-${name.replace('/', '-')}-${version}`)
  await mkdir(join(dir, 'src'), { recursive: true })
  const composerJson = { name, version, type: 'library', license: 'MIT', autoload: { 'psr-4': { 'Events\\Tool\\': 'src/' } } }
  await writeFile(join(dir, 'composer.json'), JSON.stringify(composerJson, null, 4))
  await writeFile(join(dir, 'src/Version.php'), `<?php\nnamespace Events\\Tool;\n\nfinal class Version\n{\n    public const VERSION = '${version}';\n}\n`)
  const out = join(dir, 'out')
  const result = await composer.composer(['archive', '--format=zip', `--dir=${out}`, '--file=package'], dir)
  if (result.code !== 0) throw new Error(`composer archive failed: ${describeComposer(result)}`)
  const [file] = await readdir(out)
  return readFile(join(out, file!))
}

describe('publish events', () => {
  it('the test receiver refuses a body whose signature is wrong and records nothing from it', async () => {
    const body = JSON.stringify({ id: 'deadbeef-1', type: 'publish' })
    const forged = `sha256=${createHmac('sha256', 'not-the-secret-at-all').update(body).digest('hex')}`
    for (const signature of [forged, 'sha256=00', undefined]) {
      const response = await fetch(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'x-larder-signature': signature } : {}) },
        body,
      })
      expect(response.status).toBe(401)
    }
    expect(receiver.events()).toEqual([])
  })

  it('npm publish announces one publish event naming the tarball npm sent', async () => {
    const tarball = await writeWork(npm10.filename, npm10.tarball)
    const result = await npmClient.npm(['publish', tarball], { cwd: work.path })
    expect(result.code, describeRun(result) + larder.output()).toBe(0)
    const event = await nextEvent({ type: 'publish', ecosystem: 'npm', name: 'events-pkg', version: '1.0.0' })
    expect(event.files).toEqual([{ name: 'events-pkg-1.0.0.tgz', size: npm10.tarball.length, sha256: sha256(npm10.tarball) }])
  })

  it('npm dist-tag add announces a dist-tag event with the tag', async () => {
    const result = await npmClient.npm(['dist-tag', 'add', 'events-pkg@1.0.0', 'stable'], { cwd: work.path })
    expect(result.code, describeRun(result)).toBe(0)
    await nextEvent({ type: 'dist-tag', ecosystem: 'npm', name: 'events-pkg', version: '1.0.0', tag: 'stable' })
  })

  it('twine upload of a wheel and an sdist announces one publish event per file', async () => {
    const paths = [await writeWork(dists.wheel.filename, dists.wheel.bytes), await writeWork(dists.sdist.filename, dists.sdist.bytes)]
    const args = ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', `${larder.url}/pypi/`, '-u', '__token__', '-p', TOKEN]
    const result = await python.twine([...args, ...paths])
    expect(result.code, describePython(result) + larder.output()).toBe(0)
    const events = await nextEvents(2)
    for (const want of [dists.wheel, dists.sdist]) {
      expected.push({ type: 'publish', ecosystem: 'pypi', name: 'events-py', version: '1.0' })
      const matching = events.filter((event) => event.files.some((file) => file.name === want.filename))
      expect(matching, `one event for ${want.filename}`).toHaveLength(1)
      expect(matching[0]).toMatchObject({ type: 'publish', ecosystem: 'pypi', name: 'events-py', version: '1.0' })
      expect(matching[0]!.files).toEqual([{ name: want.filename, size: want.bytes.length, sha256: sha256(want.bytes) }])
    }
  })

  it('a composer archive upload announces one publish event naming the zip as stored', async () => {
    const zip = await composerArchive('events/tool', '1.0.0')
    const created = await fetch(`${larder.url}/composer/upload`, {
      method: 'PUT',
      headers: { 'content-type': 'application/zip', authorization: `Basic ${Buffer.from(`token:${TOKEN}`).toString('base64')}` },
      body: zip,
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const event = await nextEvent({ type: 'publish', ecosystem: 'composer', name: 'events/tool', version: '1.0.0' })
    expect(event.files).toEqual([{ name: expect.any(String), size: zip.length, sha256: sha256(zip) }])
    // What Composer downloads is what the event says.
    const p2 = (await (await fetch(`${larder.url}/composer/p2/events/tool.json`)).json()) as { packages: Record<string, { dist: { url: string } }[]> }
    const stored = Buffer.from(await (await fetch(p2.packages['events/tool']![0]!.dist.url)).arrayBuffer())
    expect(sha256(stored)).toBe(event.files[0]!.sha256)
  })

  it('gem push announces one publish event naming the .gem', async () => {
    const path = join(ruby.root, gem.filename)
    await writeFile(path, gem.bytes)
    const pushed = await ruby.gem(['push', '--host', `${larder.url}/gems`, path], { GEM_HOST_API_KEY: TOKEN })
    expect(pushed.code, describeRuby(pushed) + larder.output()).toBe(0)
    const event = await nextEvent({ type: 'publish', ecosystem: 'gems', name: 'events-gem', version: '0.1.0' })
    expect(event.files).toEqual([{ name: 'events-gem-0.1.0.gem', size: gem.bytes.length, sha256: sha256(gem.bytes) }])
  })

  it('a .deb upload announces one publish event naming the package and the .deb', async () => {
    const uploaded = await fetch(`${larder.url}/apt/larder/upload/${deb.filename}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.debian.binary-package', authorization: `Bearer ${TOKEN}` },
      body: deb.bytes,
    })
    expect(uploaded.status, await uploaded.clone().text()).toBe(201)
    const event = await nextEvent({ type: 'publish', ecosystem: 'apt', name: 'events-deb', version: '1.0' })
    expect(event.files).toEqual([{ name: expect.stringMatching(/events-deb_1\.0_all\.deb$/), size: deb.bytes.length, sha256: sha256(deb.bytes) }])
  })

  it('skopeo copy into local/ announces one push event naming the tag, the manifest and its blobs', async () => {
    const pushed = await pushLayout(image.reference, `127.0.0.1:${larder.port}/local/events-app:1.0`, `${TOKEN_NAME}:${TOKEN}`)
    expect(pushed.code, `${describeSkopeo(pushed)}\n${larder.output()}`).toBe(0)
    const event = await nextEvent({ type: 'push', ecosystem: 'oci', name: 'local/events-app', version: '1.0' })
    // The manifest first, then the config and layers it names, so a receiver knows every blob of the image.
    const { config, layers } = image.images[0]!
    const file = ({ digest, size }: { digest: string; size: number }) => ({ name: digest, size, sha256: digest.slice('sha256:'.length) })
    expect(event.files).toEqual([image.top, config, ...layers].map(file))
  })

  it('a file PUT announces an upload event and its DELETE a delete event', async () => {
    const bytes = Buffer.from(`an artifact published at ${new Date().toISOString()}\n`)
    const path = await writeWork('app.bin', bytes)
    const created = await publishFile(path, 'builds/app/1.0/app.bin')
    expect(created.status, describeCurl(created)).toBe(201)
    const upload = await nextEvent({ type: 'upload', ecosystem: 'files', name: 'builds', version: null })
    expect(upload.files).toEqual([{ name: 'app/1.0/app.bin', size: bytes.length, sha256: sha256(bytes) }])

    const removed = await curl(work.path, ['-X', 'DELETE', '-H', `Authorization: Bearer ${TOKEN}`, `${larder.url}/files/builds/app/1.0/app.bin`])
    expect(removed.status, describeCurl(removed)).toBe(200)
    const deleted = await nextEvent({ type: 'delete', ecosystem: 'files', name: 'builds', version: null })
    expect(
      deleted.files.every((file) => file.name === 'app/1.0/app.bin'),
      JSON.stringify(deleted.files),
    ).toBe(true)
  })

  it('GET /-/events lists the same events in the same order, only npm ones for an npm token, and nothing without a token', async () => {
    const delivered = receiver.events()
    expect(delivered.map(({ type, ecosystem, name }) => `${type} ${ecosystem} ${name}`)).toEqual(
      expected.map(({ type, ecosystem, name }) => `${type} ${ecosystem} ${name}`),
    )
    // Ids increase within one outbox.
    const outbox = delivered[0]!.id.split('-')[0]
    expect(delivered.map((event) => event.id)).toEqual(delivered.map((_, i) => `${outbox}-${i + 1}`))

    const all = (await (await listEvents()).json()) as { events: ReceivedEvent[]; next: string }
    expect(all.events).toEqual(delivered)
    expect(all.next).toBe(delivered.at(-1)!.id)
    expect(await listAll(TOKEN, 3)).toEqual(delivered)
    const tail = (await (await listEvents(`?since=${delivered[2]!.id}&limit=2`)).json()) as { events: ReceivedEvent[]; next: string }
    expect(tail.events).toEqual(delivered.slice(3, 5))
    expect(tail.next).toBe(delivered[4]!.id)

    const npmOnly = await listAll(NPM_READER, 1)
    expect(npmOnly.map((event) => event.ecosystem)).toEqual(['npm', 'npm'])
    expect(npmOnly).toEqual(delivered.filter((event) => event.ecosystem === 'npm'))

    expect((await listEvents('', null)).status).toBe(401)
    expect((await listEvents('', 'not-a-larder-token')).status).toBe(401)
  })

  it('publishes while the receiver is down at once; after a Larder restart the missed events arrive once each, in order', async () => {
    await receiver.stop()
    const before = receiver.events().length

    const bytes = Buffer.from('published while the receiver was down\n')
    const started = Date.now()
    const created = await publishFile(await writeWork('outage.bin', bytes), 'builds/outage/outage.bin')
    expect(created.status, describeCurl(created)).toBe(201)
    expect(Date.now() - started, 'the upload waited for the webhook').toBeLessThan(10_000)
    const tarball = await writeWork(npm11.filename, npm11.tarball)
    const published = await npmClient.npm(['publish', tarball], { cwd: work.path })
    expect(published.code, describeRun(published) + larder.output()).toBe(0)

    // Larder tried the receiver, failed and kept the events: they are listed, not delivered.
    await waitFor(async () => (await larder.logs()).some((line) => String(line.msg).includes('did not take event')), {
      timeoutMs: 30_000,
      description: 'Larder logging a failed webhook delivery',
    })
    const listed = (await (await listEvents(`?since=${receiver.events().at(-1)!.id}`)).json()) as { events: ReceivedEvent[] }
    expect(listed.events.map(({ type, ecosystem, name, version }) => ({ type, ecosystem, name, version }))).toEqual([
      { type: 'upload', ecosystem: 'files', name: 'builds', version: null },
      { type: 'publish', ecosystem: 'npm', name: 'events-pkg', version: '1.1.0' },
    ])
    expect(receiver.events()).toHaveLength(before)

    const port = larder.port
    await larder.stop()
    larder = await startLarder({ dataDir: data.path, port, env, readyTimeoutMs: LARDER_READY_MS })
    await receiver.start()

    const upload = await nextEvent({ type: 'upload', ecosystem: 'files', name: 'builds', version: null }, 60_000)
    expect(upload.files).toEqual([{ name: 'outage/outage.bin', size: bytes.length, sha256: sha256(bytes) }])
    const publish = await nextEvent({ type: 'publish', ecosystem: 'npm', name: 'events-pkg', version: '1.1.0' }, 60_000)
    expect(publish.files).toEqual([{ name: 'events-pkg-1.1.0.tgz', size: npm11.tarball.length, sha256: sha256(npm11.tarball) }])
    expect([upload.id, publish.id]).toEqual(listed.events.map((event) => event.id))

    // The restarted process delivers new changes too, numbering on from the same outbox.
    const after = Buffer.from('published after the restart\n')
    const again = await publishFile(await writeWork('after.bin', after), 'builds/after/after.bin')
    expect(again.status, describeCurl(again)).toBe(201)
    const live = await nextEvent({ type: 'upload', ecosystem: 'files', name: 'builds', version: null })
    const [outbox, seq] = publish.id.split('-')
    expect(live.id).toBe(`${outbox}-${Number(seq) + 1}`)

    // Each event was taken exactly once: no duplicate from the restart, nothing lost.
    const delivered = receiver.events()
    const accepted = receiver.posts().filter((post) => post.status >= 200 && post.status < 300)
    expect(accepted.map((post) => post.id)).toEqual(delivered.map((event) => event.id))
    expect(delivered.map(({ type, ecosystem, name, version }) => ({ type, ecosystem, name, version }))).toEqual(
      expected.map(({ type, ecosystem, name, version }) => ({ type, ecosystem, name, version })),
    )
    expect(await listAll(TOKEN, 100)).toEqual(delivered)
    // Some deliveries were answered with connection: close, and the next ones still arrived.
    expect(receiver.posts().filter((post) => post.closed && post.status === 204).length).toBeGreaterThan(0)
  })
})
