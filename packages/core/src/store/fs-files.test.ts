import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { makeTempDir } from '@larder/testkit'
import { expect, it } from 'vitest'
import { renameIntoFolder, unlinkIfExists } from './fs-files.js'

it('renameIntoFolder makes the folder only when it is missing, and still fails for a missing source', async () => {
  const dir = await makeTempDir('larder-fs-files-')
  try {
    await writeFile(join(dir.path, 'a'), 'first')
    await renameIntoFolder(join(dir.path, 'a'), join(dir.path, 'x', 'y', 'a'))
    expect(await readFile(join(dir.path, 'x', 'y', 'a'), 'utf8')).toBe('first')
    await writeFile(join(dir.path, 'b'), 'second')
    await renameIntoFolder(join(dir.path, 'b'), join(dir.path, 'x', 'y', 'a'))
    expect(await readFile(join(dir.path, 'x', 'y', 'a'), 'utf8')).toBe('second')
    await expect(renameIntoFolder(join(dir.path, 'gone'), join(dir.path, 'z', 'gone'))).rejects.toMatchObject({ code: 'ENOENT' })
    expect(existsSync(join(dir.path, 'b'))).toBe(false)
  } finally {
    await dir.cleanup()
  }
})

it('unlinkIfExists deletes a file, takes a missing one as done, and refuses a folder', async () => {
  const dir = await makeTempDir('larder-fs-files-')
  try {
    await writeFile(join(dir.path, 'a'), 'bytes')
    await unlinkIfExists(join(dir.path, 'a'))
    expect(existsSync(join(dir.path, 'a'))).toBe(false)
    await unlinkIfExists(join(dir.path, 'a'))
    await mkdir(join(dir.path, 'folder'))
    await expect(unlinkIfExists(join(dir.path, 'folder'))).rejects.toMatchObject({ code: expect.stringMatching(/^E(ISDIR|PERM)$/) })
    expect(existsSync(join(dir.path, 'folder'))).toBe(true)
  } finally {
    await dir.cleanup()
  }
})
