/** Builds a child's environment: the parent's, with overrides; an undefined value removes a variable. */

export type EnvOverrides = Record<string, string | undefined>

export function childEnv(overrides: EnvOverrides = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}
