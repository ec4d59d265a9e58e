// Pictures the ERP sent as data, stored under the shop's image folder as OpenCart stores
// images: a path relative to `image/` (`catalog/…`) in product.image. Files are named by
// their content hash, written to a temporary name and renamed, so a resend or a crash never
// leaves a half-written picture, and the same picture is stored once.
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The path product.image takes for a picture with this content hash. */
export function picturePath(hash: string, ext: string): string {
  return `catalog/erp-bridge/${hash}.${ext}`;
}

export async function storePictures(imageDir: string, pictures: Map<string, Buffer>): Promise<void> {
  for (const [rel, data] of pictures) {
    const file = path.join(imageDir, rel);
    if (await access(file).then(() => true, () => false)) continue;
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }
}
