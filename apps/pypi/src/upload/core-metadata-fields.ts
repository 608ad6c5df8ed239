/** The Name and Version headers of a core metadata file (METADATA, PKG-INFO): an RFC 822-style header block. */

export interface CoreMetadataFields {
  name?: string
  version?: string
}

export function readCoreMetadataFields(metadata: Buffer): CoreMetadataFields {
  const fields: CoreMetadataFields = {}
  for (const line of metadata.toString('utf8').split(/\r?\n/)) {
    if (line === '') break // the header block ends at the first blank line; the description follows
    const match = /^(Name|Version):\s*(.*?)\s*$/i.exec(line)
    if (!match) continue
    const key = match[1]!.toLowerCase() as 'name' | 'version'
    fields[key] ??= match[2]!
  }
  return fields
}
