import { useState, useSyncExternalStore } from 'react';
import type { ReportDraft } from '../../utils/draft-rules';
import { draftReducer, type DraftAction, type DraftFormState } from './reducer';

/**
 * One home for the form's state. Async work (uploads, GPS, submitting) reads `get()` at the moment
 * it needs the truth, renders read the same state through React, and every change is one
 * `dispatch` through the pure reducer; `onDraft` persists each new draft.
 */
export interface DraftStore {
  get(): DraftFormState;
  dispatch(action: DraftAction): DraftFormState;
  subscribe(listener: () => void): () => void;
}

export function createDraftStore(initial: DraftFormState, onDraft: (draft: ReportDraft) => void): DraftStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    dispatch(action) {
      const next = draftReducer(state, action);
      if (next === state) return state;
      const draftChanged = next.draft !== state.draft;
      state = next;
      if (draftChanged) onDraft(next.draft);
      listeners.forEach((l) => l());
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store, made once per mounted form, and its current state for rendering. */
export function useDraftStore(create: () => DraftStore): [DraftFormState, DraftStore] {
  const [store] = useState(create);
  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  return [state, store];
}
