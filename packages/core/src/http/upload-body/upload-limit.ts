/** The upload size limit (LARDER_MAX_UPLOAD_MB): checked on the declared length before reading, then on every byte that arrives. */
import { Transform, type TransformCallback } from 'node:stream'
import { LarderError } from '../../errors/index.js'

const MIB = 1024 * 1024

/** E_TOO_LARGE (413) naming the limit and the setting that raises it. */
export function uploadTooLarge(label: string, maxBytes: number, declared?: number): LarderError {
  const limit = maxBytes % MIB === 0 ? `${maxBytes / MIB} MB` : `${maxBytes} bytes`
  const size = declared === undefined ? 'is' : `is ${declared} bytes,`
  return new LarderError('E_TOO_LARGE', `${label} ${size} over the upload limit of ${limit} (LARDER_MAX_UPLOAD_MB)`, {
    hint: 'raise LARDER_MAX_UPLOAD_MB if this upload is legitimate',
  })
}

/** The Content-Length the client declared (undefined when it sent none), refused at once when over the limit. */
export function declaredUploadLength(request: Request, maxBytes: number, label: string): number | undefined {
  const declared = request.headers.get('content-length')
  if (declared === null || !/^\d+$/.test(declared)) return undefined
  const length = Number(declared)
  if (length > maxBytes) throw uploadTooLarge(label, maxBytes, length)
  return length
}

/** Passes bytes through and fails the stream with E_TOO_LARGE the moment their total passes maxBytes. */
export class UploadByteLimit extends Transform {
  private total = 0

  constructor(
    private readonly maxBytes: number,
    private readonly label: string,
  ) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length
    if (this.total > this.maxBytes) callback(uploadTooLarge(this.label, this.maxBytes))
    else callback(null, chunk)
  }
}
