/** The part of yauzl 3 (which ships no types) that the upload reader uses. */
declare module 'yauzl' {
  import type { Readable } from 'node:stream'

  export interface Entry {
    fileName: string
    uncompressedSize: number
    compressedSize: number
    externalFileAttributes: number
    isEncrypted(): boolean
  }

  export interface ZipFile {
    entryCount: number
    eachEntry(): AsyncIterable<Entry>
    openReadStreamPromise(entry: Entry): Promise<Readable>
  }

  export interface Options {
    autoClose?: boolean
    decodeStrings?: boolean
    validateEntrySizes?: boolean
    strictFileNames?: boolean
  }

  export function fromBufferPromise(buffer: Buffer, options?: Options): Promise<ZipFile>
}
