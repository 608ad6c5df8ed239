/** Reads a raw request body (a pushed .gem, a Composer zip) into a spool file, within the upload limit and only if it arrived whole. */
import { Readable } from 'node:stream'
import { LarderError } from '../../errors/index.js'
import { discardSpooledFile, spoolStream, uploadReadError, type SpoolOptions, type SpooledFile } from './spool-file.js'
import { UploadByteLimit, declaredUploadLength } from './upload-limit.js'

export interface UploadBodyOptions extends SpoolOptions {
  /** `services.config.maxUploadBytes` (LARDER_MAX_UPLOAD_MB). */
  maxBytes: number
  /** Names the body in errors, e.g. 'the pushed gem'. */
  label: string
}

/** The body as a spooled, hashed file; an empty body is a file of size 0. The caller owns the file from here. */
export async function readRawUpload(request: Request, options: UploadBodyOptions): Promise<SpooledFile> {
  const declared = declaredUploadLength(request, options.maxBytes, options.label)
  const body = request.body ? Readable.fromWeb(request.body as import('node:stream/web').ReadableStream) : Readable.from([])
  let file: SpooledFile
  try {
    file = await spoolStream(body, options, [new UploadByteLimit(options.maxBytes, options.label)])
  } catch (error) {
    throw uploadReadError(error, `${options.label} was cut short`)
  }
  if (declared !== undefined && file.size !== declared) {
    await discardSpooledFile(file)
    throw new LarderError('E_BAD_REQUEST', `${options.label} was cut short: ${file.size} of the ${declared} bytes announced arrived`, {
      hint: 'the upload did not arrive whole; send it again',
    })
  }
  return file
}
