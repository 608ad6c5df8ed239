/** @larder/files: generic files (hosted and mirrored) on the Larder core. */
export { createApp, DEFAULT_FILES_PREFIX, filesMirror } from './app.js'
export { DEFAULT_FILES_UPSTREAMS, readFilesSettings, UPSTREAMS_ENV, type FilesSettings } from './settings/files-settings.js'
