/** Reads a multipart/form-data upload (what twine sends) with busboy: fields kept in memory within small limits, file parts streamed to spool files. */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import busboy from 'busboy'
import { LarderError } from '../../errors/index.js'
import type { UploadBodyOptions } from './raw-upload.js'
import { discardSpooledFile, spoolStream, uploadReadError, type SpooledFile } from './spool-file.js'
import { UploadByteLimit, declaredUploadLength } from './upload-limit.js'

export interface FormField {
  name: string
  value: string
}

export interface FormFile extends SpooledFile {
  /** The form field the file was sent in. */
  field: string
  /** As the client sent it, path and all (busboy is told to keep it): the app judges it. */
  filename: string | undefined
  contentType: string
}

export interface MultipartForm {
  /** In the order they were sent. */
  fields: readonly FormField[]
  files: readonly FormFile[]
  /** Deletes every file the store has not taken yet; call it once the upload is handled, however that went. */
  discard(): Promise<void>
}

export interface MultipartOptions extends UploadBodyOptions {
  maxFields?: number
  /** Per field; a longer value is refused (413), never cut. */
  maxFieldBytes?: number
  maxFiles?: number
}

export const DEFAULT_MAX_FORM_FIELDS = 200
/** A package's long description travels as a field; none is near this. */
export const DEFAULT_MAX_FORM_FIELD_BYTES = 1024 * 1024
export const DEFAULT_MAX_FORM_FILES = 4

const refused = (label: string, message: string) =>
  new LarderError('E_BAD_REQUEST', `${label} is not an acceptable multipart form: ${message}`, { hint: 'send multipart/form-data, as twine does' })

/** Refuses anything but multipart/form-data (415) before reading; the caller owns the spooled files once this resolves. */
export async function readMultipartForm(request: Request, options: MultipartOptions): Promise<MultipartForm> {
  const { label } = options
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new LarderError('E_UNSUPPORTED_MEDIA', `${label} must be multipart/form-data, not "${contentType.split(';')[0]!.trim().slice(0, 80)}"`, {
      hint: 'send multipart/form-data, as twine does',
    })
  }
  declaredUploadLength(request, options.maxBytes, label)
  const maxFields = options.maxFields ?? DEFAULT_MAX_FORM_FIELDS
  const maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FORM_FIELD_BYTES
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FORM_FILES
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      // Keep "../x.whl" as sent, so the app refuses it rather than storing it under a name busboy made up.
      preservePath: true,
      defParamCharset: 'utf8',
      limits: { fields: maxFields, fieldSize: maxFieldBytes, files: maxFiles, parts: maxFields + maxFiles, fieldNameSize: 256, headerPairs: 16 },
    })
  } catch (cause) {
    throw refused(label, (cause as Error).message)
  }
  const fields: FormField[] = []
  const spooling: Promise<FormFile>[] = []
  let refusal: LarderError | undefined
  const refuse = (error: LarderError) => {
    refusal ??= error
    parser.destroy(error)
  }
  parser.on('field', (name, value, info) => {
    if (!name) return refuse(refused(label, 'a field has no name'))
    if (info.nameTruncated) return refuse(refused(label, `a field name is over 256 bytes`))
    if (info.valueTruncated)
      return refuse(new LarderError('E_TOO_LARGE', `${label}: the field ${name.slice(0, 80)} is over the limit of ${maxFieldBytes} bytes`))
    fields.push({ name, value })
  })
  parser.on('file', (name, stream, info) => {
    if (!name) return refuse(refused(label, 'a file part has no field name'))
    const file = spoolStream(stream, options).then((spooled) => ({ ...spooled, field: name, filename: info.filename, contentType: info.mimeType }))
    // A spool that fails on its own (disk full) must stop the parser, which would otherwise wait for it to read on.
    file.catch((error: unknown) => {
      if (!parser.destroyed) refuse(uploadReadError(error, `${label} could not be spooled`))
    })
    spooling.push(file)
  })
  parser.on('filesLimit', () => refuse(refused(label, `more than ${maxFiles} files`)))
  parser.on('fieldsLimit', () => refuse(refused(label, `more than ${maxFields} fields`)))
  parser.on('partsLimit', () => refuse(refused(label, `more than ${maxFields + maxFiles} parts`)))
  const body = request.body ? Readable.fromWeb(request.body as import('node:stream/web').ReadableStream) : Readable.from([])
  try {
    await pipeline(body, new UploadByteLimit(options.maxBytes, label), parser)
    const files = await Promise.all(spooling)
    return { fields, files, discard: () => discardAll(files) }
  } catch (error) {
    const settled = await Promise.allSettled(spooling)
    await discardAll(settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])))
    throw uploadReadError(refusal ?? error, `${label} was cut short or is not a well-formed multipart form`)
  }
}

async function discardAll(files: readonly FormFile[]): Promise<void> {
  await Promise.all(files.map(discardSpooledFile))
}
