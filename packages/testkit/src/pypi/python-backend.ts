/** A tiny in-tree PEP 517 build backend (stdlib only), so test dists build and install without setuptools or an index. */

/**
 * Reads larder_dist.json beside it: {name, version, requires_python?, requires?, metadata_name?, metadata_version?,
 * sdist_format?}. Zip and tar entries get
 * fixed timestamps, so the same spec builds the same bytes.
 */
export const PYTHON_BACKEND_SOURCE = String.raw`
import base64, hashlib, io, json, os, re, tarfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CFG = json.load(open(os.path.join(HERE, 'larder_dist.json')))
NORM = re.sub(r'[-_.]+', '_', CFG['name']).lower()
DIST = NORM + '-' + CFG['version']
EPOCH = (2020, 1, 1, 0, 0, 0)

def _metadata():
    lines = ['Metadata-Version: 2.1', 'Name: ' + CFG.get('metadata_name', CFG['name']), 'Version: ' + CFG.get('metadata_version', CFG['version']), 'Summary: Larder test package']
    if CFG.get('requires_python'):
        lines.append('Requires-Python: ' + CFG['requires_python'])
    for req in CFG.get('requires', []):
        lines.append('Requires-Dist: ' + req)
    return '\n'.join(lines) + '\n'

def _module():
    return '__version__ = %r\nNAME = %r\n' % (CFG['version'], CFG['name'])

def _record_hash(data):
    return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_sdist(config_settings=None):
    return []

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = DIST + '-py3-none-any.whl'
    files = [
        (NORM + '/__init__.py', _module().encode()),
        (DIST + '.dist-info/METADATA', _metadata().encode()),
        (DIST + '.dist-info/WHEEL', b'Wheel-Version: 1.0\nGenerator: larder-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'),
    ]
    record = ''.join('%s,%s,%d\n' % (p, _record_hash(d), len(d)) for p, d in files) + DIST + '.dist-info/RECORD,,\n'
    files.append((DIST + '.dist-info/RECORD', record.encode()))
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), 'w', zipfile.ZIP_DEFLATED) as zf:
        for path, data in files:
            info = zipfile.ZipInfo(path, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return filename

def build_sdist(sdist_directory, config_settings=None):
    zipped = CFG.get('sdist_format') == 'zip'
    filename = DIST + ('.zip' if zipped else '.tar.gz')
    pyproject = b'[build-system]\nrequires = []\nbuild-backend = "larder_backend"\nbackend-path = ["."]\n'
    members = [
        ('pyproject.toml', pyproject),
        ('larder_backend.py', open(os.path.join(HERE, 'larder_backend.py'), 'rb').read()),
        ('larder_dist.json', json.dumps(CFG, sort_keys=True).encode()),
        ('PKG-INFO', _metadata().encode()),
    ]
    if zipped:
        with zipfile.ZipFile(os.path.join(sdist_directory, filename), 'w', zipfile.ZIP_DEFLATED) as zf:
            for path, data in members:
                info = zipfile.ZipInfo(DIST + '/' + path, EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        return filename
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.PAX_FORMAT) as tf:
        for path, data in members:
            info = tarfile.TarInfo(DIST + '/' + path)
            info.size = len(data)
            info.mtime = 1577836800
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(data))
    import gzip
    with open(os.path.join(sdist_directory, filename), 'wb') as out:
        out.write(gzip.compress(raw.getvalue(), mtime=0))
    return filename
`
