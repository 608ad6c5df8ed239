/**
 * A small stand-in registry for app.request() tests, for what Docker's registry on a filesystem cannot do: blob
 * redirects to a CDN on another origin, rate limits, lying digests. The end-to-end tests use the real registry.
 */
import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { startFixtureServer, type FixtureServer } from '@larder/testkit'

export interface FakeManifest {
  bytes: Buffer
  mediaType: string
}

export interface FakeRegistryOptions {
  /** Bearer token dance against /token (which wants alice:secret when `login` is set). */
  bearer?: boolean
  login?: { user: string; password: string }
  expiresInS?: number
  /** Blob GETs answer 307 to a second server (another origin), as Docker Hub's CDN. */
  cdn?: boolean
  /** Manifest HEADs answer with this status (e.g. 405) while GETs work, as some registries do. */
  manifestHeadStatus?: number
  /** Repositories that always answer 401 with a Basic challenge: private ones Larder has no login for. */
  basicRepos?: readonly string[]
}

export interface FakeRegistry {
  readonly url: string
  readonly server: FixtureServer
  readonly cdn: FixtureServer | undefined
  /** Answers every request under /v2/<repo>/ with this status while set (e.g. 500, 429). */
  failWith: number | undefined
  putManifest(repo: string, tag: string | undefined, manifest: FakeManifest): string
  deleteTag(repo: string, tag: string): void
  putBlob(bytes: Buffer): string
  /** Serves other bytes than the digest names for this blob (an upstream that corrupts). */
  corruptBlob(digest: string, bytes: Buffer): void
  tokenRequests(): number
  stop(): Promise<void>
}

export const sha256Digest = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const manifests = new Map<string, FakeManifest>()
  const tags = new Map<string, string>()
  const blobs = new Map<string, Buffer>()
  let issued = 0
  let fail: number | undefined
  const cdn = options.cdn
    ? await startFixtureServer({ handler: (req, res) => sendBlob(req, res, blobs.get(new URL(req.url ?? '/', 'http://x').pathname.slice(1))) })
    : undefined
  const authorized = (req: IncomingMessage) => !options.bearer || /^Bearer tok-\d+$/.test(req.headers.authorization ?? '')
  const server = await startFixtureServer({
    handler: (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname === '/token') {
        const basic = options.login ? `Basic ${Buffer.from(`${options.login.user}:${options.login.password}`).toString('base64')}` : undefined
        if (basic && req.headers.authorization !== basic) return void res.writeHead(401).end()
        issued++
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ token: `tok-${issued}`, expires_in: options.expiresInS ?? 300 }))
      }
      if (!authorized(req)) {
        const scope = /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(url.pathname)?.[1]
        const challenge = `Bearer realm="${server.url}/token",service="fake"${scope ? `,scope="repository:${scope}:pull"` : ''}`
        return void res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}')
      }
      if (url.pathname === '/v2/') return void res.writeHead(200).end('{}')
      if (fail !== undefined) return void res.writeHead(fail).end()
      const match = /^\/v2\/(.+)\/(manifests|blobs|tags)\/([^/]+)$/.exec(url.pathname)
      if (!match) return void res.writeHead(404).end()
      const [, repo, kind, ref] = match as unknown as [string, string, string, string]
      if (options.basicRepos?.includes(repo)) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' }).end()
      if (kind === 'manifests' && req.method === 'HEAD' && options.manifestHeadStatus) return void res.writeHead(options.manifestHeadStatus).end()
      if (kind === 'tags') {
        const list = [...tags.keys()].filter((key) => key.startsWith(`${repo}:`)).map((key) => key.slice(repo.length + 1))
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: repo, tags: list }))
      }
      if (kind === 'blobs') {
        if (cdn && blobs.has(ref)) return void res.writeHead(307, { location: `${cdn.url}/${ref}` }).end()
        return void sendBlob(req, res, blobs.get(ref))
      }
      const digest = ref.includes(':') ? ref : tags.get(`${repo}:${ref}`)
      const manifest = digest ? manifests.get(digest) : undefined
      if (!manifest) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
      res.writeHead(200, { 'content-type': manifest.mediaType, 'content-length': manifest.bytes.length, 'docker-content-digest': digest })
      res.end(req.method === 'HEAD' ? undefined : manifest.bytes)
    },
  })
  return {
    url: server.url,
    server,
    cdn,
    get failWith() {
      return fail
    },
    set failWith(status) {
      fail = status
    },
    putManifest(repo, tag, manifest) {
      const digest = sha256Digest(manifest.bytes)
      manifests.set(digest, manifest)
      if (tag) tags.set(`${repo}:${tag}`, digest)
      return digest
    },
    deleteTag: (repo, tag) => void tags.delete(`${repo}:${tag}`),
    putBlob(bytes) {
      const digest = sha256Digest(bytes)
      blobs.set(digest, bytes)
      return digest
    },
    corruptBlob: (digest, bytes) => void blobs.set(digest, bytes),
    tokenRequests: () => issued,
    stop: async () => {
      await server.stop()
      await cdn?.stop()
    },
  }
}

function sendBlob(req: IncomingMessage, res: ServerResponse, bytes: Buffer | undefined): void {
  if (!bytes) return void res.writeHead(404).end()
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length })
  res.end(req.method === 'HEAD' ? undefined : bytes)
}
