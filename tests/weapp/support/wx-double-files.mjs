// The file system half of the wx test double: wxfile:// paths live in a temp folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ok } from './wx-double-core.mjs';

export const USER_DATA_PATH = 'wxfile://usr';

export function createFileSystem({ dir, finish, wxError }) {
  let tempCount = 0;
  const noPromise = { promise: false };
  const fsRoot = path.join(dir, 'wxfs');
  const areas = { tmp: path.join(fsRoot, 'tmp'), usr: path.join(fsRoot, 'usr'), store: path.join(fsRoot, 'store') };
  for (const d of Object.values(areas)) fs.mkdirSync(d, { recursive: true });

  /** `wxfile://tmp/…`, `wxfile://usr/…`, `wxfile://store/…` → a path in the temp folder; null when outside. */
  function realPath(wxPath) {
    const m = /^wxfile:\/\/(tmp|usr|store)(?:\/(.*))?$/.exec(String(wxPath ?? ''));
    if (!m) return null;
    const full = path.resolve(areas[m[1]], m[2] ?? '');
    return full.startsWith(areas[m[1]]) ? full : null;
  }
  function newTempPath(ext) {
    tempCount += 1;
    return `wxfile://tmp/tmp_${Date.now().toString(36)}_${tempCount}${ext}`;
  }
  // ---- the file system manager (temp folder) ----------------------------------------------
  function fsCall(apiName, options, run) {
    finish(`FileSystemManager.${apiName}`, options, () => ok(apiName, run() ?? {}), noPromise);
  }
  function mustReal(p) {
    const r = realPath(p);
    if (!r) throw wxError(`permission denied, open ${p}`);
    return r;
  }
  const fileSystemManager = {
    access: (o) =>
      fsCall('access', o, () => {
        if (!fs.existsSync(mustReal(o.path))) throw wxError(`no such file or directory ${o.path}`);
      }),
    accessSync: (p) => {
      if (!fs.existsSync(mustReal(p))) throw wxError(`accessSync:fail no such file or directory ${p}`);
    },
    readFile: (o) => fsCall('readFile', o, () => ({ data: readData(o.filePath, o.encoding) })),
    readFileSync: (p, encoding) => readData(p, encoding),
    writeFile: (o) => fsCall('writeFile', o, () => writeData(o.filePath, o.data, o.encoding)),
    writeFileSync: (p, data, encoding) => writeData(p, data, encoding),
    appendFile: (o) => fsCall('appendFile', o, () => fs.appendFileSync(mustReal(o.filePath), toBuffer(o.data, o.encoding))),
    copyFile: (o) => fsCall('copyFile', o, () => fs.copyFileSync(mustReal(o.srcPath), mustReal(o.destPath))),
    rename: (o) => fsCall('rename', o, () => fs.renameSync(mustReal(o.oldPath), mustReal(o.newPath))),
    unlink: (o) => fsCall('unlink', o, () => fs.unlinkSync(mustReal(o.filePath))),
    unlinkSync: (p) => fs.unlinkSync(mustReal(p)),
    mkdir: (o) => fsCall('mkdir', o, () => fs.mkdirSync(mustReal(o.dirPath), { recursive: !!o.recursive })),
    mkdirSync: (p, recursive) => fs.mkdirSync(mustReal(p), { recursive: !!recursive }),
    rmdir: (o) => fsCall('rmdir', o, () => fs.rmSync(mustReal(o.dirPath), { recursive: !!o.recursive })),
    readdir: (o) => fsCall('readdir', o, () => ({ files: fs.readdirSync(mustReal(o.dirPath)) })),
    readdirSync: (p) => fs.readdirSync(mustReal(p)),
    stat: (o) => fsCall('stat', o, () => ({ stats: statOf(o.path) })),
    statSync: (p) => statOf(p),
    getFileInfo: (o) =>
      fsCall('getFileInfo', o, () => {
        const file = mustReal(o.filePath);
        const content = fs.readFileSync(file);
        return {
          size: content.length,
          digest: crypto
            .createHash(o.digestAlgorithm === 'sha1' ? 'sha1' : 'md5')
            .update(content)
            .digest('hex'),
        };
      }),
    saveFile: (o) =>
      fsCall('saveFile', o, () => {
        const src = mustReal(o.tempFilePath);
        if (!fs.existsSync(src)) throw wxError(`no such file or directory ${o.tempFilePath}`);
        const saved = o.filePath ?? `wxfile://store/store_${Date.now().toString(36)}_${(tempCount += 1)}${path.extname(src)}`;
        fs.renameSync(src, mustReal(saved));
        return { savedFilePath: saved };
      }),
    getSavedFileList: (o) =>
      fsCall('getSavedFileList', o, () => ({
        fileList: fs.readdirSync(areas.store).map((name) => {
          const st = fs.statSync(path.join(areas.store, name));
          return { filePath: `wxfile://store/${name}`, size: st.size, createTime: Math.floor(st.ctimeMs / 1000) };
        }),
      })),
    removeSavedFile: (o) =>
      fsCall('removeSavedFile', o, () => {
        const file = mustReal(o.filePath);
        if (!fs.existsSync(file)) throw wxError(`file not exist ${o.filePath}`);
        fs.unlinkSync(file);
      }),
  };
  function toBuffer(data, encoding) {
    if (typeof data === 'string') return Buffer.from(data, encoding === 'base64' ? 'base64' : encoding === 'binary' ? 'binary' : 'utf8');
    return Buffer.from(data);
  }
  function readData(p, encoding) {
    const buf = fs.readFileSync(mustReal(p));
    if (!encoding) return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    return buf.toString(encoding === 'utf-8' ? 'utf8' : encoding);
  }
  function writeData(p, data, encoding) {
    fs.writeFileSync(mustReal(p), toBuffer(data, encoding));
  }
  function statOf(p) {
    const st = fs.statSync(mustReal(p));
    return {
      mode: st.mode,
      size: st.size,
      lastAccessedTime: Math.floor(st.atimeMs / 1000),
      lastModifiedTime: Math.floor(st.mtimeMs / 1000),
      isDirectory: () => st.isDirectory(),
      isFile: () => st.isFile(),
    };
  }

  return { areas, realPath, newTempPath, fileSystemManager };
}
