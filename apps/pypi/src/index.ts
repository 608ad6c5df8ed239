/** @larder/pypi: the PyPI simple API (mirror + uploads) on the Larder core. */
export { createApp, DEFAULT_PYPI_PREFIX, pypiMirror } from './app.js'
export { DEFAULT_PYPI_UPSTREAM, readPypiSettings, type PypiSettings } from './settings/pypi-settings.js'
