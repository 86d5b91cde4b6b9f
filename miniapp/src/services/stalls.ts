import type { CoordSystem, StallCheckDto, StallGoods, StallKind, StallSpotDto, StallSpotListDto } from '@cityloop/shared';
import { ensureLogin, request } from './request';

import type { QueryPosition } from '../utils/position';

/** A query position and the coordinate system it is in (the BFF answers in the same system). */
export type { QueryPosition };

export interface StallListQuery {
  position: QueryPosition;
  radiusMeters?: number;
  openNow?: boolean;
  goods?: StallGoods[];
  kinds?: StallKind[];
  text?: string;
  cursor?: string | null;
  limit?: number;
}

type QueryValue = string | number | boolean | null | undefined;

/**
 * Builds `?a=1&b=2`, leaving out empty values: the BFF's query schemas are strict, and Taro's
 * H5 and weapp request layers disagree on how `undefined` in `data` is sent.
 */
export function buildQuery(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  Object.keys(params).forEach((key) => {
    const value = params[key];
    if (value === undefined || value === null || value === '') return;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  });
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * Public reads carry the resident token when a login works (so `followed` is filled in),
 * but a failed login must not hide the list: then the read goes out anonymously.
 */
async function publicRead<T>(path: string): Promise<T> {
  let signedIn = true;
  try {
    await ensureLogin();
  } catch {
    signedIn = false;
  }
  return request<T>({ path, auth: signedIn });
}

export function listStallSpots(query: StallListQuery): Promise<StallSpotListDto> {
  const { position } = query;
  return publicRead<StallSpotListDto>(
    `/stall-spots${buildQuery({
      lat: position.lat,
      lng: position.lng,
      coordSystem: position.coordSystem,
      radius: query.radiusMeters,
      openNow: query.openNow ? 'true' : undefined,
      goods: query.goods?.length ? query.goods.join(',') : undefined,
      kind: query.kinds?.length ? query.kinds.join(',') : undefined,
      q: query.text?.trim(),
      cursor: query.cursor,
      limit: query.limit,
    })}`,
  );
}

/** "Can I sell here?" is anonymous on the BFF, so no login round trip is needed. */
export function checkStallPosition(position: QueryPosition, goods?: StallGoods | null): Promise<StallCheckDto> {
  return request<StallCheckDto>({
    path: `/stall-spots/check${buildQuery({ lat: position.lat, lng: position.lng, coordSystem: position.coordSystem, goods })}`,
    auth: false,
  });
}

/** `from` adds `distanceMeters`; without it the spot still comes back in `coordSystem`. */
export async function getStallSpot(id: string, from: QueryPosition | null, coordSystem: CoordSystem = 'gcj02'): Promise<StallSpotDto> {
  const query = from ? buildQuery({ lat: from.lat, lng: from.lng, coordSystem: from.coordSystem }) : buildQuery({ coordSystem });
  const { spot } = await publicRead<{ spot: StallSpotDto }>(`/stall-spots/${encodeURIComponent(id)}${query}`);
  return spot;
}

export async function followStallSpot(id: string): Promise<boolean> {
  const res = await request<{ followed: boolean }>({ path: `/stall-spots/${encodeURIComponent(id)}/follow`, method: 'PUT' });
  return res.followed;
}

export async function unfollowStallSpot(id: string): Promise<boolean> {
  const res = await request<{ followed: boolean }>({ path: `/stall-spots/${encodeURIComponent(id)}/follow`, method: 'DELETE' });
  return res.followed;
}

/** 我关注的摊点 (resident only), each spot in `coordSystem`. */
export async function listFollowedStallSpots(coordSystem: CoordSystem = 'gcj02'): Promise<StallSpotDto[]> {
  const res = await request<{ items: StallSpotDto[] }>({ path: `/me/stall-spot-follows${buildQuery({ coordSystem })}` });
  return res.items;
}

export const STALL_FOLLOWS_URL = '/packages/stalls/follows/index';

/** Fired through Taro.eventCenter so the list can update a card after the detail page toggles follow. */
export const STALL_FOLLOW_EVENT = 'stalls:follow-changed';
