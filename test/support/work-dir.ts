/** A test file's temp dir, with the folders its steps write into (stores, projects, bundles) made on first use. */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir, type TempDir } from '@larder/testkit'

export interface WorkDir extends TempDir {
  /** `path/...parts`, made (with its parents) if it is not there yet. */
  dir(...parts: string[]): Promise<string>
}

export async function makeWorkDir(prefix: string): Promise<WorkDir> {
  const temp = await makeTempDir(prefix)
  const dir = async (...parts: string[]) => {
    const path = join(temp.path, ...parts)
    await mkdir(path, { recursive: true })
    return path
  }
  return { ...temp, dir }
}
