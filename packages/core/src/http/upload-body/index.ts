/** Upload bodies streamed to spool files (raw or multipart/form-data), hashed on the way and within LARDER_MAX_UPLOAD_MB: never buffered whole. */
export * from './upload-limit.js'
export * from './spool-file.js'
export * from './raw-upload.js'
export * from './multipart-upload.js'
