import { useEffect, useState } from 'react';
import { useDidShow } from '@tarojs/taro';
import { charCount, type MapReportDto } from '@cityloop/shared';
import { fetchNearbyReports } from '../services/reports';
import { loadDraft, saveDraft, sweepSavedFiles } from '../services/report-draft';
import { draftBlocker, newDraft, photoLimit } from '../utils/draft-rules';
import { positionIn, type ChosenPosition } from '../utils/location';
import { MAP_COORD_SYSTEM } from '../components/map-view';
import { useSettledLoad } from './useSettledLoad';
import { initialFormState } from './report-draft/reducer';
import { createDraftStore, useDraftStore } from './report-draft/store';
import { usePhotos } from './report-draft/usePhotos';
import { useLocation } from './report-draft/useLocation';
import { useSubmit } from './report-draft/useSubmit';

export { PENDING_TEXT } from './report-draft/useSubmit';
export type { LocateState, Notice } from './report-draft/reducer';
export type { LocalImage } from './report-draft/usePhotos';

const IS_H5 = process.env.TARO_ENV === 'h5';

/** Hints around the pin: open reports for the map, and same-category ones for the duplicate hint. */
function useNearbyReports(category: string | null, location: ChosenPosition | null) {
  const [nearby, setNearby] = useState<MapReportDto[]>([]);
  /** Open reports of every category around the pin, in the map's coordinates. */
  const [mapReports, setMapReports] = useState<MapReportDto[]>([]);
  const point = location ? `${location.lat},${location.lng},${location.coordSystem}` : 'none';

  // Asked again each time the tab is shown (they move on).
  const [shownCount, setShownCount] = useState(0);
  useDidShow(() => setShownCount((n) => n + 1));
  const mapPoint = location ? positionIn(location, MAP_COORD_SYSTEM) : null;
  useSettledLoad(
    `${point}|${location?.presetKey ?? ''}|${shownCount}`,
    mapPoint ? () => fetchNearbyReports(null, mapPoint) : null,
    { idle: () => setMapReports([]), done: setMapReports }, // on failure the map simply has no pins
    500,
  );

  // The duplicate hint: open reports of this category within its radius. Only a hint: quiet on failure.
  useSettledLoad(
    `${category ?? ''}|${point}`,
    category && location ? () => fetchNearbyReports(category, location) : null,
    { idle: () => setNearby([]), done: setNearby, failed: () => setNearby([]) },
    400,
  );
  return { nearby, mapReports };
}

export type ReportForm = ReturnType<typeof useReportDraft>;

/**
 * All state and side effects of the 随手拍 form: the persisted draft, photo uploads, location,
 * the nearby-duplicates hint, and submitting (with 待发送 and automatic resubmission). One store
 * over a pure reducer (report-draft/reducer.ts); each concern is a hook of its own.
 */
export function useReportDraft() {
  const [state, store] = useDraftStore(() => {
    const restored = loadDraft();
    return createDraftStore(initialFormState(restored?.draft ?? newDraft(), restored), saveDraft);
  });
  const { draft } = state;
  const photos = usePhotos(store);
  const place = useLocation(store, draft.location);
  const submit = useSubmit(store, photos, draft.pending);
  const { nearby, mapReports } = useNearbyReports(draft.category, draft.location);

  const { startLocate } = place;
  const { restoreKept } = photos;
  const { resume } = submit;
  const locateIfUnknown = () => {
    const s = store.get();
    if (!s.draft.location && s.locate === 'idle') startLocate(false);
  };

  useDidShow(() => {
    locateIfUnknown();
    resume();
  });

  useEffect(() => {
    if (IS_H5) restoreKept().catch(() => undefined);
    // useDidShow normally covers the first show too; both paths are idempotent.
    locateIfUnknown();
    resume();
    sweepSavedFiles(() => store.get().draft.photos);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on mount: later shows are useDidShow's
  }, []);

  return {
    draft,
    locate: state.locate,
    nearby,
    mapReports,
    addressLookup: state.addressLookup,
    notice: state.notice,
    submitting: state.submitting,
    autoSubmitted: state.autoSubmitted,
    dismissAutoSubmitted: () => store.dispatch({ type: 'autoSubmitted', report: null }),
    locked: draft.pending || state.submitting,
    blocker: draftBlocker(draft),
    descriptionCount: charCount(draft.description.trim()),
    photoLimits: photoLimit(draft.category),
    actions: {
      addLocalImages: photos.addLocalImages,
      addFiles: photos.addFiles,
      choosePhotos: photos.choosePhotos,
      removePhoto: photos.removePhoto,
      retryPhoto: photos.retryPhoto,
      setCategory: (category: string) => store.dispatch({ type: 'fieldEdited', field: 'category', value: category }),
      setDescription: (description: string) => store.dispatch({ type: 'fieldEdited', field: 'description', value: description }),
      setAddress: (address: string) => store.dispatch({ type: 'fieldEdited', field: 'address', value: address }),
      setLocation: place.setLocation,
      startLocate,
      movePin: place.movePin,
      adjustOnMap: place.adjustOnMap,
      submitTap: submit.submitTap,
      editPending: submit.editPending,
      discard: submit.discard,
    },
  };
}
