import { GEOCODE_CACHE_DECIMALS, type CoordSystem, type LatLng, type ReverseGeocodeDto } from '@cityloop/shared';
import { fromWgs84, toWgs84 } from '../../geo/coords';
import { AppError } from '../../http/errors';
import type { Geocoder } from './geocoder';

type Entry = { at: number; answer: ReverseGeocodeDto } | { at: number; refusal: 'GEO_POINT_OUTSIDE_CHINA' | 'GEO_ADDRESS_NOT_FOUND' };

/**
 * Puts a bounded LRU in front of a geocoder, keyed by the GCJ-02 point rounded to GEOCODE_CACHE_DECIMALS
 * (about 1 m), so dragging the pin over the same spot, or submitting where it was dropped, is answered
 * from memory. The inner geocoder is asked for the rounded point, so a key always means one answer.
 * Lasting refusals (abroad, no address) are kept too; outages are not. Concurrent asks for one key
 * share one upstream call.
 */
export class CachedGeocoder implements Geocoder {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly inner: Geocoder,
    private readonly options: { maxEntries: number; ttlMs: number; now: () => number },
  ) {}

  get stats() {
    return { entries: this.entries.size, hits: this.hits, misses: this.misses };
  }

  async reverse(point: LatLng, coordSystem: CoordSystem): Promise<ReverseGeocodeDto> {
    const gcj = coordSystem === 'gcj02' ? point : fromWgs84(toWgs84(point, coordSystem), 'gcj02');
    const rounded = { lat: round(gcj.lat), lng: round(gcj.lng) };
    const key = `${rounded.lat},${rounded.lng}`;
    const now = this.options.now();
    let entry = this.entries.get(key);
    if (entry && now - entry.at < this.options.ttlMs) {
      this.hits += 1;
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      this.misses += 1;
      entry = await this.fetch(key, rounded, now);
    }
    if ('refusal' in entry) throw new AppError(entry.refusal);
    return entry.answer;
  }

  private fetch(key: string, point: LatLng, now: number): Promise<Entry> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const job = this.inner
      .reverse(point, 'gcj02')
      .then(
        (answer): Entry => ({ at: now, answer }),
        (err: unknown): Entry => {
          if (err instanceof AppError && (err.code === 'GEO_POINT_OUTSIDE_CHINA' || err.code === 'GEO_ADDRESS_NOT_FOUND')) return { at: now, refusal: err.code };
          throw err;
        },
      )
      .then((entry) => {
        this.entries.delete(key);
        this.entries.set(key, entry);
        while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        return entry;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }
}

const SCALE = 10 ** GEOCODE_CACHE_DECIMALS;
const round = (n: number) => Math.round(n * SCALE) / SCALE;
