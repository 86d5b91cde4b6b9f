// The photos a resident picks in the e2e tests: real camera files from tests/fixtures, and one that lies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './support.mjs';

export const PHOTOS = path.join(root, 'tests/fixtures/photos');
/** A 2.2 MB, 8 MP phone photo (took 24 s on Fast 3G before on-device compression). */
export const PHONE_PHOTO = path.join(PHOTOS, 'mobile_HMD_Nokia_8.3_5G.jpg');
export const HEIC_PHOTO = path.join(PHOTOS, 'heic_mobile_iphone_13_pro_max.HEIC');
// A file that says JPEG and is not one: the browser cannot decode it, so it goes up as it is and the
// server refuses it. (Partly broken JPEGs such as fixtures/corrupted.jpg decode in Chromium and are
// re-encoded on the device, so they arrive as valid photos.)
export const BROKEN_PHOTO = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-broken-')), 'broken.jpg');
fs.writeFileSync(BROKEN_PHOTO, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x5a)]));
