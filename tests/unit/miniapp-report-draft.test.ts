import { errorMessageZh, REPORT_LIMITS, type PhotoDto, type ReportDto } from '@cityloop/shared';
import { draftBlocker, draftBody, isDraftEmpty, newDraft, newIdempotencyKey, photoLimit, type DraftPhoto, type ReportDraft } from '../../miniapp/src/utils/draft-rules';
import { CONFLICT_TEXT, draftReducer, initialFormState, isEditable, type DraftFormState } from '../../miniapp/src/hooks/report-draft/reducer';
import { createDraftStore } from '../../miniapp/src/hooks/report-draft/store';
import type { ChosenPosition } from '../../miniapp/src/utils/position';

const gps: ChosenPosition = { lat: 24.8873, lng: 102.8285, coordSystem: 'gcj02', source: 'gps', label: '当前位置' };
const city: ChosenPosition = { lat: 25.0389, lng: 102.7183, coordSystem: 'gcj02', source: 'city', label: '昆明市中心', presetKey: 'kunming' };
const photoDto = { id: 'ph-1', url: 'https://x/1.jpg', thumbUrl: 'https://x/1t.jpg' } as PhotoDto;

function tile(patch: Partial<DraftPhoto> = {}): DraftPhoto {
  return { localId: 'p-1', localPath: '/tmp/1.jpg', kept: false, photo: photoDto, status: 'done', progress: 100, error: null, refused: false, ...patch };
}

/** A draft that may be sent: one uploaded photo, a category, a GPS pin and five characters. */
function ready(patch: Partial<ReportDraft> = {}): ReportDraft {
  return { ...newDraft(), category: 'exposed_garbage', description: '路边堆了垃圾', location: gps, photos: [tile()], ...patch };
}

function state(draft: ReportDraft, patch: Partial<DraftFormState> = {}): DraftFormState {
  return { ...initialFormState(draft, null), ...patch };
}

describe('draftBlocker (why 提交 is not possible yet)', () => {
  test('a complete draft has no blocker', () => {
    expect(draftBlocker(ready())).toBeNull();
  });

  test('photo problems come first: a refused photo, then a failed upload', () => {
    const refused = ready({ category: null, photos: [tile({ status: 'failed', refused: true, photo: null })] });
    expect(draftBlocker(refused)).toBe('有照片无法使用，请换一张或删除');
    expect(draftBlocker(ready({ category: null, photos: [tile({ status: 'failed', photo: null })] }))).toBe('有照片上传失败，请点击照片重试或删除');
  });

  test('category, photo count, location in that order', () => {
    expect(draftBlocker(ready({ category: null }))).toBe('请选择问题类型');
    expect(draftBlocker(ready({ category: 'no_such_code' }))).toBe('请选择问题类型');
    expect(draftBlocker(ready({ photos: [] }))).toBe('请至少添加 1 张照片');
    const ten = Array.from({ length: REPORT_LIMITS.maxPhotos + 1 }, (_, i) => tile({ localId: `p-${i}` }));
    expect(draftBlocker(ready({ photos: ten }))).toBe(`最多 ${REPORT_LIMITS.maxPhotos} 张照片，请删除多余的`);
    expect(draftBlocker(ready({ location: null }))).toBe('请先定位或选择位置');
  });

  test('a category that needs no photo may go without one', () => {
    expect(photoLimit('night_construction_noise').min).toBe(0);
    expect(draftBlocker(ready({ category: 'night_construction_noise', photos: [] }))).toBeNull();
  });

  test('text the BFF cannot store is named before sending', () => {
    expect(draftBlocker(ready({ description: '路边堆了垃圾\u0000' }))).toBe(errorMessageZh('TEXT_NOT_STORABLE'));
    expect(draftBlocker(ready({ address: 'x\uD83D' }))).toBe(errorMessageZh('TEXT_NOT_STORABLE'));
  });

  test('description length counts code points of the trimmed text', () => {
    expect(draftBlocker(ready({ description: '  垃圾  ' }))).toBe('问题描述至少 5 个字（还差 3 个）');
    // Four emoji are four characters, not eight UTF-16 units.
    expect(draftBlocker(ready({ description: '😀😀😀😀' }))).toBe('问题描述至少 5 个字（还差 1 个）');
    expect(draftBlocker(ready({ description: '😀😀😀😀😀' }))).toBeNull();
    expect(draftBlocker(ready({ description: '字'.repeat(501) }))).toBe('问题描述最多 500 个字');
  });

  test('a city centre needs the address in words; a pin does not', () => {
    expect(draftBlocker(ready({ location: city }))).toBe('请填写详细地址');
    expect(draftBlocker(ready({ location: city, address: '北京路与人民路口' }))).toBeNull();
    expect(draftBlocker(ready({ address: '路'.repeat(201) }))).toBe('地址最多 200 个字');
  });

  test('an upload still running blocks last; one waiting for the network does not', () => {
    expect(draftBlocker(ready({ photos: [tile({ status: 'uploading', photo: null })] }))).toBe('照片上传中，请稍候');
    expect(draftBlocker(ready({ photos: [tile({ status: 'waiting', photo: null })] }))).toBeNull();
  });
});

describe('draftBody and keys', () => {
  test('the body carries trimmed text, the point, the street and only uploaded photo ids', () => {
    const d = ready({ description: '  路边堆了垃圾 ', address: ' 东门 ', location: { ...gps, street: '龙城街道' }, photos: [tile(), tile({ localId: 'p-2', photo: null, status: 'waiting' })] });
    expect(draftBody(d)).toEqual({
      category: 'exposed_garbage',
      description: '路边堆了垃圾',
      location: { lat: gps.lat, lng: gps.lng, coordSystem: 'gcj02' },
      address: '东门',
      street: '龙城街道',
      photoIds: ['ph-1'],
    });
  });

  test('idempotency keys are unique and within the limit', () => {
    const a = newIdempotencyKey();
    expect(a).toMatch(/^rpt-[0-9a-z]+-[0-9a-f]{32}$/);
    expect(a.length).toBeLessThanOrEqual(REPORT_LIMITS.idempotencyKeyMaxLength);
    expect(newIdempotencyKey()).not.toBe(a);
  });

  test('a draft is empty without content, whatever its location', () => {
    expect(isDraftEmpty({ ...newDraft(), location: gps })).toBe(true);
    expect(isDraftEmpty({ ...newDraft(), description: ' x ' })).toBe(false);
    expect(isDraftEmpty({ ...newDraft(), pending: true })).toBe(false);
  });
});

describe('draftReducer (the 随手拍 form state)', () => {
  test('restored drafts say so; a draft with dropped photos says how many', () => {
    expect(initialFormState(ready(), { droppedPhotos: 0 }).notice).toEqual({ kind: 'info', text: '已恢复上次未提交的草稿' });
    expect(initialFormState(ready(), { droppedPhotos: 2 }).notice?.text).toBe('有 2 张照片在页面刷新前没有上传完，浏览器已无法读取，请重新添加');
    expect(initialFormState(ready({ pending: true }), { droppedPhotos: 0 }).notice).toBeNull();
    expect(initialFormState(newDraft(), null)).toMatchObject({ notice: null, locate: 'idle' });
    expect(initialFormState(ready(), null).locate).toBe('done');
  });

  test('while 待发送 or sending, no field, place or GPS answer changes the body', () => {
    for (const s of [state(ready({ pending: true })), state(ready(), { submitting: true })]) {
      expect(isEditable(s)).toBe(false);
      expect(draftReducer(s, { type: 'fieldEdited', field: 'description', value: '别的内容别的内容' })).toBe(s);
      expect(draftReducer(s, { type: 'locationChosen', location: city })).toBe(s);
      expect(draftReducer(s, { type: 'locateStarted' })).toBe(s);
    }
  });

  test('a map name fills the address until the resident types their own', () => {
    const picked: ChosenPosition = { ...gps, source: 'picked', label: '地图选点' };
    let s = draftReducer(state(ready()), { type: 'locationChosen', location: picked, suggested: '呈贡区彩云北路' });
    expect(s.draft).toMatchObject({ address: '呈贡区彩云北路', addressAuto: '呈贡区彩云北路' });
    s = draftReducer(s, { type: 'locationChosen', location: picked, suggested: '呈贡区春融街' });
    expect(s.draft.address).toBe('呈贡区春融街');
    s = draftReducer(s, { type: 'fieldEdited', field: 'address', value: '万达东门' });
    s = draftReducer(s, { type: 'locationChosen', location: picked, suggested: '呈贡区洛龙路' });
    expect(s.draft.address).toBe('万达东门');
  });

  test('a suggested address is cut to the limit by code point', () => {
    const long = '😀'.repeat(REPORT_LIMITS.addressMaxChars + 5);
    const s = draftReducer(state(ready()), { type: 'locationChosen', location: gps, suggested: long });
    expect(Array.from(s.draft.address)).toHaveLength(REPORT_LIMITS.addressMaxChars);
  });

  test('a manual choice wins over a GPS answer still on its way', () => {
    let s = draftReducer(state(ready({ location: null })), { type: 'locateStarted' });
    expect(s.locate).toBe('locating');
    const seq = s.locateSeq;
    s = draftReducer(s, { type: 'locationChosen', location: city });
    const late = draftReducer(s, { type: 'located', seq, location: gps });
    expect(late).toBe(s);
    expect(draftReducer(s, { type: 'locateFailed', seq })).toBe(s);
  });

  test('a failed fix keeps an earlier place, else says it failed', () => {
    const none = draftReducer(state(ready({ location: null })), { type: 'locateStarted' });
    expect(draftReducer(none, { type: 'locateFailed', seq: none.locateSeq }).locate).toBe('failed');
    const some = draftReducer(state(ready()), { type: 'locateStarted' });
    expect(draftReducer(some, { type: 'locateFailed', seq: some.locateSeq }).locate).toBe('done');
    expect(draftReducer(none, { type: 'located', seq: none.locateSeq, location: gps })).toMatchObject({ locate: 'done', draft: { location: gps } });
  });

  test('a geocoded address lands only on the point it was asked for', () => {
    const s = state(ready(), { addressLookup: 'looking' });
    const here = draftReducer(s, { type: 'addressFound', at: gps, address: '呈贡区彩云北路', street: '龙城街道' });
    expect(here.draft.location).toMatchObject({ address: '呈贡区彩云北路', street: '龙城街道' });
    expect(here.addressLookup).toBe('idle');
    const elsewhere = draftReducer(s, { type: 'addressFound', at: city, address: '别处' });
    expect(elsewhere.draft).toBe(s.draft);
  });

  test('photos: patched by id, removed, and a lost one lifts 待发送', () => {
    let s = state(ready({ photos: [] }));
    s = draftReducer(s, { type: 'photosAdded', photos: [tile({ localId: 'a', photo: null, status: 'uploading', progress: 0 }), tile({ localId: 'b' })] });
    s = draftReducer(s, { type: 'photoPatched', localId: 'a', patch: { progress: 40 } });
    expect(s.draft.photos.map((p) => [p.localId, p.progress])).toEqual([
      ['a', 40],
      ['b', 100],
    ]);
    expect(draftReducer(s, { type: 'photoPatched', localId: 'zz', patch: { progress: 1 } })).toBe(s);
    expect(draftReducer(s, { type: 'photoRemoved', localId: 'b' }).draft.photos.map((p) => p.localId)).toEqual(['a']);
    const pending = { ...s, draft: { ...s.draft, pending: true } };
    expect(draftReducer(pending, { type: 'photoLost', localId: 'a' }).draft).toMatchObject({ pending: false, photos: [{ localId: 'b' }] });
  });

  test('the same body keeps its key; a changed body gets a fresh one', () => {
    const d = ready({ idempotencyKey: 'k1' });
    let s = draftReducer(state(d), { type: 'bodySent', bodyJson: '{"a":1}', freshKey: 'k2' });
    expect(s.draft).toMatchObject({ idempotencyKey: 'k1', sentBody: '{"a":1}' });
    s = draftReducer(s, { type: 'bodySent', bodyJson: '{"a":1}', freshKey: 'k3' });
    expect(s.draft.idempotencyKey).toBe('k1');
    s = draftReducer(s, { type: 'bodySent', bodyJson: '{"a":2}', freshKey: 'k4' });
    expect(s.draft).toMatchObject({ idempotencyKey: 'k4', sentBody: '{"a":2}' });
  });

  test('409 lifts 待发送, renews the key and explains', () => {
    const s = draftReducer(state(ready({ pending: true, idempotencyKey: 'k1', sentBody: '{}' })), { type: 'keyConflict', freshKey: 'k9' });
    expect(s.draft).toMatchObject({ pending: false, idempotencyKey: 'k9', sentBody: null });
    expect(s.notice).toEqual({ kind: 'error', text: CONFLICT_TEXT });
  });

  test('待发送: marked without a notice, left by 修改内容 with one, refused with the reason', () => {
    const s = draftReducer(state(ready(), { notice: { kind: 'info', text: 'x' } }), { type: 'markedPending' });
    expect(s.draft.pending).toBe(true);
    expect(s.notice).toBeNull();
    expect(draftReducer(s, { type: 'pendingEdited' })).toMatchObject({ draft: { pending: false }, notice: { kind: 'info', text: '已取消自动提交，修改后请重新提交' } });
    expect(draftReducer({ ...s, submitting: true }, { type: 'pendingEdited' }).draft.pending).toBe(true);
    expect(draftReducer(s, { type: 'submitRefused', text: '服务器忙' })).toMatchObject({ draft: { pending: false }, notice: { kind: 'error', text: '服务器忙' } });
  });

  test('a tap clears the old notice; an automatic resubmission keeps it', () => {
    const s = state(ready(), { notice: { kind: 'error', text: 'old' } });
    expect(draftReducer(s, { type: 'submitStarted', byTap: true })).toMatchObject({ submitting: true, notice: null });
    expect(draftReducer(s, { type: 'submitStarted', byTap: false }).notice).toEqual({ kind: 'error', text: 'old' });
  });

  test('after submitting the form starts over and will locate again; 清空草稿 keeps the place', () => {
    const s = state(ready(), { locate: 'done', notice: { kind: 'info', text: 'x' } });
    const fresh = newDraft();
    const done = draftReducer(s, { type: 'submitted', fresh });
    expect(done).toMatchObject({ draft: fresh, notice: null, locate: 'idle', locateSeq: s.locateSeq + 1 });
    const cleared = draftReducer(s, { type: 'discarded', fresh });
    expect(cleared.draft).toEqual({ ...fresh, location: gps });
    const report = { id: 'r1' } as ReportDto;
    expect(draftReducer(s, { type: 'autoSubmitted', report }).autoSubmitted).toBe(report);
  });
});

describe('createDraftStore', () => {
  test('persists each new draft once, and only when the draft changed', () => {
    const saved: ReportDraft[] = [];
    const store = createDraftStore(state(ready()), (d) => saved.push(d));
    let renders = 0;
    const stop = store.subscribe(() => (renders += 1));
    store.dispatch({ type: 'fieldEdited', field: 'description', value: '井盖不见了井盖不见了' });
    store.dispatch({ type: 'addressLookup', state: 'looking' });
    store.dispatch({ type: 'addressLookup', state: 'looking' }); // no change: no render
    expect(saved.map((d) => d.description)).toEqual(['井盖不见了井盖不见了']);
    expect(renders).toBe(2);
    expect(store.get().addressLookup).toBe('looking');
    stop();
    store.dispatch({ type: 'addressLookup', state: 'idle' });
    expect(renders).toBe(2);
  });
});
