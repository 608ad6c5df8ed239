/**
 * POST /-/api/prefetch and /-/api/verify: the commands for CI jobs on other hosts. The body is the lockfile (its
 * name in ?name=, as the format is told by it), the answer NDJSON streamed as the work goes: progress lines, then
 * the same report `--json` prints. Prefetch runs through the server's own mirrors; verify through an offline twin of
 * them on the same store, so it proves what is held without touching any upstream.
 */
import { Hono } from 'hono'
import {
  LarderError,
  composeMirrors,
  createServices,
  errorHandler,
  requestEdge,
  readLimitedBody,
  type AnyMirrorDeclaration,
  type LarderEnv,
  type LarderServices,
} from '@larder/core'
import { readConcurrency, runLockfiles } from '../commands/lockfile-command.js'
import { fromWebResponse } from '../fetcher/fetched-response.js'
import type { LarderFetcher } from '../fetcher/larder-fetcher.js'
import { requestHeaders } from '../fetcher/larder-fetcher.js'
import { LockfileError, readLockfileText } from '../lockfiles/read-lockfile.js'
import { reportDocument } from '../report/summary.js'

/** Far above real lockfiles (a large monorepo's pnpm-lock.yaml is tens of MB). */
export const MAX_LOCKFILE_UPLOAD_BYTES = 64 * 1024 * 1024
const ORIGIN = 'http://larder.api'

export interface LockfileApiOptions {
  services: LarderServices
  mirrors: readonly AnyMirrorDeclaration[]
  /** The server's composed mirrors, which prefetch asks as a client would. */
  app: Pick<Hono<LarderEnv>, 'request'>
}

export function createLockfileApi(options: LockfileApiOptions): Hono<LarderEnv> {
  const { services } = options
  let offline: Pick<Hono<LarderEnv>, 'request'> | undefined
  // Shares the store (never closed from here: the server owns it); everything else is its own, offline.
  const offlineApp = () =>
    (offline ??= composeMirrors(createServices({ ...services.config, offline: true }, { store: services.store, logger: services.logger }), options.mirrors).app)
  const api = new Hono<LarderEnv>()
  // The edge every mirror runs behind: request id, one log line per request, errors mapped once.
  const edge = { app: 'api', logger: services.logger, metrics: services.metrics, via: services.via }
  api.use('/-/api/*', requestEdge(edge))
  api.onError(errorHandler(edge))
  for (const command of ['prefetch', 'verify'] as const) {
    api.post(`/-/api/${command}`, async (c) => {
      const principal = services.tokens.authenticate(c.req.header('authorization'))
      if (!principal) throw new LarderError('E_UNAUTHORIZED', `${command} over HTTP needs a token`, { hint: 'send Authorization: Bearer <token>' })
      const name = c.req.query('name') ?? 'lockfile'
      if (!/^[\w.@+-]{1,128}$/.test(name)) throw new LarderError('E_BAD_REQUEST', "name must be the lockfile's file name, e.g. ?name=package-lock.json")
      let concurrency: number
      try {
        concurrency = readConcurrency(c.req.query('concurrency'))
      } catch (error) {
        throw new LarderError('E_BAD_REQUEST', (error as Error).message)
      }
      const text = (await readLimitedBody(c.req.raw, MAX_LOCKFILE_UPLOAD_BYTES, `the ${command} lockfile`)).toString('utf8')
      let lockfile: Awaited<ReturnType<typeof readLockfileText>>
      try {
        lockfile = await readLockfileText(name, text, {
          // The settings the server was started with (the files mirror's upstreams, for artifacts.lock.yaml).
          env: process.env,
          readText: async (path) => {
            throw new LockfileError(`${name} includes ${path}: includes are not followed over HTTP; send one file with everything`)
          },
        })
      } catch (error) {
        if (error instanceof LockfileError) throw new LarderError('E_BAD_REQUEST', error.message)
        throw error
      }
      const app = command === 'verify' ? offlineApp() : options.app
      const fetcher: LarderFetcher = {
        target: command === 'verify' ? 'this Larder (offline)' : 'this Larder',
        get: async (path, accept) => fromWebResponse(await app.request(`${ORIGIN}${path}`, { headers: requestHeaders(accept, undefined) })),
        close: async () => {},
      }
      c.set('cacheResult', 'PASS')
      const encoder = new TextEncoder()
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          const line = (value: unknown) => controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`))
          const progressIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, mirrors: async () => options.mirrors }
          try {
            const report = await runLockfiles(command, [lockfile], fetcher, concurrency, progressIo, {
              closeFetcher: true,
              onProgress: (progress) => line({ progress }),
            })
            line({ result: reportDocument(report) })
          } catch (error) {
            line({ error: { message: (error as Error).message } })
          }
          controller.close()
        },
      })
      return c.body(body, 200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' })
    })
  }
  return api
}
