/** Free and total space of the filesystem holding the data folder (one statfs per call: cheap). */
import { statfs } from 'node:fs/promises'

export interface DiskSpace {
  freeBytes: number
  totalBytes: number
}

export async function diskSpace(dir: string): Promise<DiskSpace | undefined> {
  try {
    const stats = await statfs(dir)
    return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize }
  } catch {
    return undefined
  }
}
