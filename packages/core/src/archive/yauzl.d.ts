/** The part of yauzl 3 (which ships no types) that the zip walker uses. */
declare module 'yauzl' {
  import type { Readable } from 'node:stream'

  export interface ExtraField {
    id: number
    data: Buffer
  }

  export interface Entry {
    /** A Buffer when decodeStrings is false. */
    fileName: string | Buffer
    fileNameRaw: Buffer
    extraFields: ExtraField[]
    generalPurposeBitFlag: number
    uncompressedSize: number
    compressedSize: number
    externalFileAttributes: number
    isEncrypted(): boolean
  }

  export interface LocalFileHeader {
    fileName: Buffer
  }

  export interface ZipFile {
    entryCount: number
    eachEntry(): AsyncIterable<Entry>
    openReadStreamPromise(entry: Entry): Promise<Readable>
    readLocalFileHeaderPromise(entry: Entry): Promise<LocalFileHeader>
    close(): void
  }

  export interface Options {
    autoClose?: boolean
    decodeStrings?: boolean
    validateEntrySizes?: boolean
    strictFileNames?: boolean
  }

  export function fromBufferPromise(buffer: Buffer, options?: Options): Promise<ZipFile>
  export function openPromise(path: string, options?: Options): Promise<ZipFile>
  export function getFileNameLowLevel(generalPurposeBitFlag: number, fileNameBuffer: Buffer, extraFields: ExtraField[], strictFileNames: boolean): string
}
