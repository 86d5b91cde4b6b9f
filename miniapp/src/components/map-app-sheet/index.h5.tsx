import { useEffect, useRef } from 'react';
import { mapAppLinks } from '../../utils/map-links';
import type { MapAppSheetProps } from './types';
import './index.h5.scss';

/**
 * 导航 in H5: a bottom sheet offering 腾讯地图, 高德地图 and 百度地图, each a plain link to the
 * vendor's URI page with the GCJ-02 point (it opens the app when installed, a web map otherwise).
 * Links rather than scripted redirects, so the browser treats the tap as the user's own navigation.
 */
export default function MapAppSheet({ place, open, onClose }: MapAppSheetProps) {
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    // Into the dialog, so a screen reader reads its title and Tab reaches the choices next.
    panel.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, onClose]);

  if (!open) return null;
  const links = mapAppLinks(place);
  return (
    <div className='map-app-sheet' id='map-app-sheet'>
      <div className='map-app-sheet__mask' onClick={onClose} />
      <div ref={panel} tabIndex={-1} className='map-app-sheet__panel' role='dialog' aria-modal='true' aria-labelledby='map-app-sheet-title'>
        <p className='map-app-sheet__title' id='map-app-sheet-title'>
          选择地图应用导航到「{place.name}」
        </p>
        {links.map((link) => (
          <a key={link.key} id={`map-app-${link.key}`} className='map-app-sheet__link' href={link.url} rel='noopener noreferrer'>
            {link.label}
          </a>
        ))}
        <button type='button' className='map-app-sheet__cancel' onClick={onClose}>
          取消
        </button>
      </div>
    </div>
  );
}
