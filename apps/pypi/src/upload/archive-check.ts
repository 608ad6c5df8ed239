/** Refuses a wheel or .zip sdist holding an entry that pip or a build frontend would unpack outside its folder. */
import { SafeZip } from '@larder/core'
import type { CheckedUpload } from './upload-form.js'

/**
 * Call after the metadata was read, so that an unreadable archive keeps its own message. A .tar.gz
 * sdist needs nothing more: reading its PKG-INFO checked every entry (sdist-archive.ts).
 */
export async function assertSafeDistArchive(upload: CheckedUpload): Promise<void> {
  if (upload.filename.toLowerCase().endsWith('.tar.gz')) return
  // The central directory and local headers only; nothing is inflated but symlink targets.
  const zip = await SafeZip.openFile(upload.file.path, { label: `upload refused: ${upload.filename}` })
  zip.close()
}
