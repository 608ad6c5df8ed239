/** Looks inside a Larder data dir's content-addressed store: every blob must hash to its own name. */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

export const blobsDir = (dataDir: string) => join(dataDir, 'store', 'blobs', 'sha256')

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Names of the blob files under `dataDir` (each a sha256). */
export async function blobNames(dataDir: string): Promise<string[]> {
  const root = blobsDir(dataDir)
  const names: string[] = []
  for (const shard of await readdir(root).catch(() => [] as string[])) {
    for (const name of await readdir(join(root, shard))) names.push(name)
  }
  return names.sort()
}

/** Blob files whose bytes do not hash to their name, as "name: actual" lines; empty when the store is sound. */
export async function misnamedBlobs(dataDir: string): Promise<string[]> {
  const wrong: string[] = []
  for (const name of await blobNames(dataDir)) {
    const actual = await hashFile(join(blobsDir(dataDir), name.slice(0, 2), name))
    if (actual !== name) wrong.push(`${name}: ${actual}`)
  }
  return wrong
}

export async function hasBlob(dataDir: string, sha256: string): Promise<boolean> {
  return stat(join(blobsDir(dataDir), sha256.slice(0, 2), sha256)).then(
    () => true,
    () => false,
  )
}
