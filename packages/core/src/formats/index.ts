/** Readers for documents clients send (JSON, YAML), with limits on size and nesting. */
export * from './limited-json.js'
export * from './limited-yaml.js'
