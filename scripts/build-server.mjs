#!/usr/bin/env node
// `npm run build:server`: compiles the server (src/, tests excluded) to JavaScript in dist/ with the
// TypeScript compiler, file by file (the sources are written for it: isolatedModules and
// verbatimModuleSyntax; the output is tsc's), and copies the other files the server reads at run time
// (the common-password list). Type checking is `npm run typecheck`'s job, so this takes seconds, not half
// a minute. A module whose output is newer than its source (and than the build settings) is not compiled
// again.
//
// dist/ may be in use (a running server, command-line tests) while it is rebuilt, so files are replaced
// one by one through a rename, only when their content changed, and outputs whose source is gone removed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

function fail(diagnostics) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  console.error(ts.formatDiagnostics(diagnostics, host));
  process.exit(1);
}

const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), undefined, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => fail([diagnostic]),
});
if (config.errors.length) fail(config.errors);
const { rootDir, outDir } = config.options;
// Every source is an ES module (package.json: "type": "module"). tsc learns that from package.json under
// NodeNext; a lone file cannot, so it is told.
const compilerOptions = {
  ...config.options,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};
const settingsChanged = Math.max(
  ...['tsconfig.json', 'tsconfig.build.json', 'scripts/build-server.mjs', 'package.json'].map(
    (file) => fs.statSync(path.join(root, file)).mtimeMs,
  ),
);

const modifiedMs = (file) => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const upToDate = (source, targets) =>
  targets.every((target) => {
    const built = modifiedMs(target);
    return built >= modifiedMs(source) && built >= settingsChanged;
  });

/**
 * Writes through a temporary file and a rename, so a reader sees the old content or the new, never half.
 * Unchanged content is not rewritten, only marked as built now.
 */
function writeIfChanged(file, content) {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(Buffer.from(content))) {
    const now = new Date();
    fs.utimesSync(file, now, now);
    return false;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
  return true;
}

const expected = new Set();
let compiled = 0;
let written = 0;
const problems = [];
for (const source of config.fileNames) {
  const target = path.join(outDir, path.relative(rootDir, source).replace(/\.ts$/, '.js'));
  const targets = [target, `${target}.map`];
  for (const file of targets) expected.add(file);
  if (upToDate(source, targets)) continue;
  compiled++;
  const result = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
    compilerOptions,
    fileName: source,
    reportDiagnostics: true,
  });
  problems.push(...(result.diagnostics ?? []));
  // transpileModule names the map's source by its bare file name; point it at the real source instead.
  const map = JSON.parse(result.sourceMapText);
  map.sources = [path.relative(path.dirname(target), source)];
  if (writeIfChanged(target, result.outputText)) written++;
  if (writeIfChanged(`${target}.map`, JSON.stringify(map))) written++;
}
if (problems.length) fail(problems);

// Files the server reads beside its modules (everything in src/ that is not TypeScript).
for (const entry of fs.readdirSync(rootDir, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
  const source = path.join(entry.parentPath, entry.name);
  const target = path.join(outDir, path.relative(rootDir, source));
  expected.add(target);
  if (!upToDate(source, [target]) && writeIfChanged(target, fs.readFileSync(source))) written++;
}

let removed = 0;
for (const entry of fs.readdirSync(outDir, { recursive: true, withFileTypes: true })) {
  const file = path.join(entry.parentPath, entry.name);
  // (A .tmp file is another build's write in progress.)
  if (entry.isFile() && !expected.has(file) && !file.endsWith('.tmp')) {
    fs.rmSync(file);
    removed++;
  }
}

console.log(
  `Server built in ${path.relative(root, outDir)}/: ${config.fileNames.length} modules, ${compiled} compiled, ` +
    `${written} files written, ${removed} removed`,
);
