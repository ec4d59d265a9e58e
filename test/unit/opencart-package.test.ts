// The shop packages `npm run package:opencart` builds: each under PHP's 2 MB upload limit, laid
// out as each OpenCart release's installer expects, readable by PHP's own ZipArchive (what the
// installers use), byte for byte the sources, and every PHP file free of syntax errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPackages, PACKAGE_LIMIT } from '../../scripts/package-opencart.js';
import { crc32 } from '../../scripts/zip-writer.js';

const hasPhp = (() => {
  try {
    execFileSync('php', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Names and contents as PHP's ZipArchive reads them. */
function phpListing(zip: string): Record<string, string> {
  const code = '$z = new ZipArchive; if ($z->open($argv[1]) !== true) exit(1); $o = []; for ($i = 0; $i < $z->numFiles; $i++) { $n = $z->getNameIndex($i); $o[$n] = base64_encode($z->getFromIndex($i)); } echo json_encode($o);';
  const raw = JSON.parse(execFileSync('php', ['-r', code, zip], { encoding: 'utf8' })) as Record<string, string>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

describe('OpenCart packages', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'erpb-pkg-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const [oc3, oc4] = buildPackages(out);

  it('writes dist/opencart-3 and dist/opencart-4 erp_bridge.ocmod.zip, each under 2 MB', () => {
    expect(path.relative(out, oc3!)).toBe(path.join('opencart-3', 'erp_bridge.ocmod.zip'));
    expect(path.relative(out, oc4!)).toBe(path.join('opencart-4', 'erp_bridge.ocmod.zip'));
    for (const f of [oc3!, oc4!]) expect(statSync(f).size).toBeLessThan(PACKAGE_LIMIT);
  });

  it('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it.runIf(hasPhp)('is read by PHP\'s ZipArchive with the layout each release installs', () => {
    const three = phpListing(oc3!);
    expect(Object.keys(three).sort()).toEqual([
      'upload/admin/controller/extension/module/erp_bridge.php',
      'upload/admin/language/en-gb/extension/module/erp_bridge.php',
      'upload/admin/language/hu-hu/extension/module/erp_bridge.php',
      'upload/admin/view/template/extension/module/erp_bridge.twig',
      'upload/system/library/erp_bridge/status.php',
    ]);
    expect(three['upload/admin/controller/extension/module/erp_bridge.php']).toBe(readFileSync('opencart/opencart-3/upload/admin/controller/extension/module/erp_bridge.php', 'utf8'));
    const four = phpListing(oc4!);
    expect(Object.keys(four).sort()).toEqual([
      'admin/controller/module/erp_bridge.php',
      'admin/language/en-gb/module/erp_bridge.php',
      'admin/language/hu-hu/module/erp_bridge.php',
      'admin/view/template/module/erp_bridge.twig',
      'install.json',
      'system/library/status.php',
    ]);
    // One status.php for both: byte for byte the shared source.
    expect(four['system/library/status.php']).toBe(readFileSync('opencart/shared/system/status.php', 'utf8'));
    expect(three['upload/system/library/erp_bridge/status.php']).toBe(four['system/library/status.php']);
    expect(four['admin/controller/module/erp_bridge.php']).toContain('namespace Opencart\\Admin\\Controller\\Extension\\ErpBridge\\Module;');
    expect(four['admin/language/hu-hu/module/erp_bridge.php']).toContain('erp-bridge megnyitása');
    const info = JSON.parse(four['install.json']!) as Record<string, string>;
    for (const k of ['name', 'version', 'author', 'link']) expect(info[k], k).toBeTruthy(); // 4.x refuses an empty one
  });

  it.runIf(hasPhp)('holds PHP files without syntax errors', () => {
    const files = ['opencart/opencart-3/upload/admin/controller/extension/module/erp_bridge.php', 'opencart/opencart-4/admin/controller/module/erp_bridge.php', 'opencart/shared/language/en-gb/erp_bridge.php', 'opencart/shared/language/hu-hu/erp_bridge.php', 'opencart/shared/system/status.php'];
    for (const f of files) expect(execFileSync('php', ['-l', f], { encoding: 'utf8' })).toMatch(/No syntax errors/);
  });
});
