// `npm run package:opencart`: builds the shop packages from opencart/:
//   dist/opencart-3/erp_bridge.ocmod.zip  OpenCart 3.0.x (upload/… copied over the shop's tree)
//   dist/opencart-4/erp_bridge.ocmod.zip  OpenCart 4.0.x and 4.1.x (install.json + admin/…;
//     OpenCart 4 takes the package name, and so the PHP namespace, from this file name)
// Shared by both: the language files (both releases read the same `$_[…]` arrays) and
// opencart/shared/system/status.php (the module page's health check and last runs, included by path).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zip, type ZipEntry } from './zip-writer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'opencart');
export const PACKAGE_LIMIT = 2 * 1024 * 1024; // PHP's default upload_max_filesize
const LANGUAGES = ['en-gb', 'hu-hu'];

function walk(dir: string, base = dir): ZipEntry[] {
  const out: ZipEntry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full, base));
    else out.push({ name: path.relative(base, full).split(path.sep).join('/'), data: readFileSync(full) });
  }
  return out;
}

const language = (lang: string) => readFileSync(path.join(src, 'shared/language', lang, 'erp_bridge.php'));
const status = () => readFileSync(path.join(src, 'shared/system/status.php'));

export function packageEntries(release: 3 | 4): ZipEntry[] {
  if (release === 3) {
    return [
      ...walk(path.join(src, 'opencart-3')),
      ...LANGUAGES.map((l) => ({ name: `upload/admin/language/${l}/extension/module/erp_bridge.php`, data: language(l) })),
      { name: 'upload/system/library/erp_bridge/status.php', data: status() },
    ].sort((a, b) => a.name.localeCompare(b.name));
  }
  return [
    ...walk(path.join(src, 'opencart-4')),
    ...LANGUAGES.map((l) => ({ name: `admin/language/${l}/module/erp_bridge.php`, data: language(l) })),
    { name: 'system/library/status.php', data: status() },
  ].sort((a, b) => a.name.localeCompare(b.name));
}

export function buildPackages(outDir = path.join(root, 'dist')): string[] {
  const files: string[] = [];
  for (const release of [3, 4] as const) {
    const body = zip(packageEntries(release));
    if (body.length > PACKAGE_LIMIT) throw new Error(`opencart-${release} package is ${body.length} bytes, over PHP's 2 MB upload limit`);
    const dir = path.join(outDir, `opencart-${release}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'erp_bridge.ocmod.zip');
    writeFileSync(file, body);
    files.push(file);
  }
  return files;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of buildPackages()) console.log(`${path.relative(root, f)}  ${statSync(f).size} bytes`);
}
