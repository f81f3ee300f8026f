// The switchboard-client package (clients/js): its version is the NuGet packages', `npm pack` makes
// a tarball of exactly its files, the packed package imports by name, and switchboard.d.ts declares
// every export and holds an app to the API under `tsc --strict` (a misuse does not compile).
//
//   node --test tests/Js

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { client, packageDir } from './support.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const typesDir = fileURLToPath(new URL('./types/', import.meta.url));
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const declarations = readFileSync(join(packageDir, 'switchboard.d.ts'), 'utf8');

/** The TypeScript compiler, a test dependency installed in tests/Js by scripts/test.sh. */
function tscPath() {
  const path = fileURLToPath(new URL('./node_modules/typescript/bin/tsc', import.meta.url));
  try {
    readFileSync(path);
  } catch (error) {
    throw new Error('typescript is missing in tests/Js; run scripts/test.sh --deps-only', { cause: error });
  }
  return path;
}

describe('switchboard-client package', () => {
  let work; // a temporary folder: the tarball and an app with the package in its node_modules
  let packed; // npm pack's report of the tarball

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'switchboard-client-'));
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: packageDir,
      encoding: 'utf8',
      env: { ...process.env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false' },
    });
    [packed] = JSON.parse(output);
    const app = join(work, 'app');
    const installed = join(app, 'node_modules', 'switchboard-client');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1']);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  test('its version is the NuGet packages\' (VersionPrefix in Directory.Build.props)', () => {
    const props = readFileSync(join(root, 'Directory.Build.props'), 'utf8');
    const version = /<VersionPrefix>([^<]+)<\/VersionPrefix>/.exec(props)?.[1];
    assert.ok(version, 'no VersionPrefix in Directory.Build.props');
    assert.equal(manifest.version, version);
  });

  test('is an ES module package whose exports name the script and its types', () => {
    assert.equal(manifest.name, 'switchboard-client');
    assert.equal(manifest.type, 'module');
    assert.equal(manifest.types, './switchboard.d.ts');
    assert.deepEqual(manifest.exports['.'], { types: './switchboard.d.ts', default: './switchboard.js' });
  });

  test('npm pack holds the script, its types, the README and the manifest, nothing else', () => {
    assert.equal(packed.name, 'switchboard-client');
    assert.equal(packed.version, manifest.version);
    assert.deepEqual(packed.files.map((f) => f.path).sort(), ['README.md', 'package.json', 'switchboard.d.ts', 'switchboard.js']);
  });

  test('the packed package imports by name and works', () => {
    const app = join(work, 'app');
    writeFileSync(join(app, 'check.mjs'), `
      import { SwitchboardClient, SwitchboardRequestError, encodeEnvelope } from 'switchboard-client';
      import manifest from 'switchboard-client/package.json' with { type: 'json' };
      const error = new SwitchboardRequestError('timeout', 'late');
      console.log(JSON.stringify({
        client: typeof SwitchboardClient.prototype.request,
        code: error.code,
        envelope: encodeEnvelope('q', { n: 1 }, 'r1'),
        version: manifest.version,
      }));
    `);
    const result = spawnSync(process.execPath, ['check.mjs'], { cwd: app, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      client: 'function',
      code: 'timeout',
      envelope: '{"type":"q","data":{"n":1},"id":"r1"}',
      version: manifest.version,
    });
  });

  test('switchboard.d.ts declares every export of switchboard.js, and nothing it lacks', () => {
    const declared = new Set([...declarations.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]));
    assert.deepEqual([...declared].sort(), Object.keys(client).sort());
  });

  /** Compiles `file` (from tests/Js/types) in the app under --strict; returns { status, output }. */
  function compile(file) {
    const app = join(work, 'app');
    copyFileSync(join(typesDir, file), join(app, file));
    const result = spawnSync(process.execPath, [
      tscPath(), '--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', '--lib', 'es2022,dom', file,
    ], { cwd: app, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  test('an app using the whole API compiles under tsc --strict', () => {
    const { status, output } = compile('app.ts');
    assert.equal(status, 0, output);
  });

  test('a misspelt transport does not compile', () => {
    const { status, output } = compile('misspelt-transport.ts');
    assert.notEqual(status, 0);
    assert.match(output, /misspelt-transport\.ts\(4,\d+\): error TS\d+: Type '"longpoling"' is not assignable to type 'TransportName/i);
  });

  test('a request with a bare timeout, or reading a misspelt reply field, does not compile', () => {
    const { status, output } = compile('request-misuse.ts');
    assert.notEqual(status, 0);
    assert.match(output, /request-misuse\.ts\(5,\d+\): error TS2559: Type '5000' has no properties in common with type 'RequestOptions'/);
    assert.match(output, /request-misuse\.ts\(6,\d+\): error TS2551: Property 'messags' does not exist/);
  });
});
