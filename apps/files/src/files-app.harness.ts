/** The files app on real parts (fs store in a temp folder, the upstream client) for app.request() tests, with request helpers. */
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import type { LarderEnv } from '@larder/core'
import { openMirrorTestApp, type MirrorTestApp } from '@larder/core/testing'
import type { Hono } from 'hono'
import { filesMirror } from './app.js'

export const TEST_TOKEN = 'files-test-token-1'
export const NPM_TOKEN = 'npm-only-token-1'
export const AUTH = { authorization: `Bearer ${TEST_TOKEN}` }

export type FilesHarness = MirrorTestApp<Hono<LarderEnv>>

/** `env` adds to the defaults: tokens for files and for npm only, no upstreams. */
export function openFilesApp(env: Record<string, string> = {}, onClose?: () => Promise<void>): Promise<FilesHarness> {
  return openMirrorTestApp({
    mirror: filesMirror,
    env: () => ({ LARDER_TOKENS: `uploader=${TEST_TOKEN}:files,npm-only=${NPM_TOKEN}:npm`, LARDER_FILES_UPSTREAMS: 'none', ...env }),
    onClose,
  })
}

export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex')
export const sha1 = (bytes: Uint8Array | string) => createHash('sha1').update(bytes).digest('hex')
export const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('hex')

export function upload(h: FilesHarness, path: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  return h.request(`/files/${path}`, { method: 'PUT', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { ...AUTH, ...headers } })
}

/** A JSON answer, untyped: tests read the fields they check. */
export const json = (res: Response): Promise<any> => res.json()

export async function listing(h: FilesHarness, dir: string): Promise<any> {
  const res = await h.request(`/files/${dir}`, { headers: { accept: 'application/json' } })
  if (res.status !== 200) throw new Error(`listing ${dir}: ${res.status} ${await res.text()}`)
  return res.json()
}

/** Whatever is left in this process's spool folder (uploads, temp files). */
export function spooled(h: FilesHarness): Promise<string[]> {
  return readdir(h.services.store.spoolDir)
}
